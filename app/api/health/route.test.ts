import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeDb } from "@/lib/server/db";
import { resetEnvCache } from "@/lib/env";
import { startProtocolServer, type ProtocolServer } from "@/lib/testing/openai-protocol-server";
import { GET } from "./route";

// The open health endpoint says whether the configured model server answers, and nothing about
// where it is or what it serves.

let tmp: string;
let upstream: ProtocolServer;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "health-"));
  upstream = await startProtocolServer({ token: "health-token-0123456789" });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  resetEnvCache();
  await closeDb();
  await upstream.close();
  await rm(tmp, { recursive: true, force: true });
});

async function health(vars: Record<string, string>) {
  vi.unstubAllEnvs();
  vi.stubEnv("DATA_DIR", tmp);
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  resetEnvCache();
  const res = await GET(new Request("http://localhost/api/health"));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("GET /api/health", () => {
  it("says nothing about a model server when none is configured", async () => {
    const { status, body } = await health({});
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body).not.toHaveProperty("modelServer");
  });

  it("reports whether the model server answers, and degrades without failing the check", async () => {
    const keyFile = path.join(tmp, "key");
    await writeFile(keyFile, "health-token-0123456789");
    const up = await health({ MODEL_SERVER_URL: upstream.url, MODEL_SERVER_API_KEY_FILE: keyFile });
    expect(up.status).toBe(200);
    expect(up.body.status).toBe("ok");
    expect(up.body.modelServer).toEqual({ reachable: true, latencyMs: expect.any(Number) });
    expect(JSON.stringify(up.body)).not.toContain("127.0.0.1");

    // Without the token the server refuses: it does not answer this app.
    const refused = await health({ MODEL_SERVER_URL: upstream.url });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: "degraded", modelServer: { reachable: false, latencyMs: null } });

    await upstream.close();
    const down = await health({ MODEL_SERVER_URL: upstream.url, MODEL_SERVER_API_KEY_FILE: keyFile });
    expect(down.body).toMatchObject({ status: "degraded", modelServer: { reachable: false } });
    upstream = await startProtocolServer();
  });
});
