import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/internal/cli/route";
import { resetEnvCache } from "@/lib/env";
import { closeDb } from "@/lib/server/db";
import { publishControlInfo, readControlInfo } from "@/lib/server/control";
import { checkArchive } from "./manifest";

// With the embedded database only the server may open it, so `backup create` runs inside the
// server and streams the archive over the CLI's control channel: the route the CLI posts to,
// called as the running server answers it.

let dataDir: string;
let token: string;
const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-backup-server-"));
  process.env.DATA_DIR = dataDir;
  process.env.DATABASE_URL = "";
  resetEnvCache();
  publishControlInfo(dataDir, 1);
  token = readControlInfo(dataDir)!.token;
});

afterAll(async () => {
  await closeDb();
  process.env.DATA_DIR = saved.DATA_DIR;
  process.env.DATABASE_URL = saved.DATABASE_URL;
  resetEnvCache();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const post = (input: unknown, headers: Record<string, string> = { "x-control-token": token }) =>
  POST(
    new Request("http://127.0.0.1/api/internal/cli", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ operation: "backup.create", input }),
    }),
  );

describe("backup create through the running server", () => {
  it("streams an archive of the server's embedded database that verifies", async () => {
    const keyFile = path.join(dataDir, "..", `${path.basename(dataDir)}.key`);
    fs.writeFileSync(keyFile, "c3".repeat(32));
    const res = await post({ keyFile });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const bytes = Buffer.from(await res.arrayBuffer());
    const check = await checkArchive(
      (async function* () {
        yield bytes;
      })(),
      Buffer.from("c3".repeat(32), "hex"),
    );
    expect(check.manifest.source).toBe("pglite");
    expect(check.manifest.tables.length).toBeGreaterThan(10);
    fs.rmSync(keyFile);
  }, 120_000);

  it("answers a bad key file with an error, not a broken stream, and refuses a caller without the token", async () => {
    const missing = await post({ keyFile: path.join(dataDir, "no-such.key") });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^The backup key file .*no-such\.key does not exist/);

    const stranger = await post({ keyFile: "/etc/hostname" }, { "x-control-token": "guess" });
    expect(stranger.status).toBe(401);
  });
});
