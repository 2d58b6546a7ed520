import { CLI_ACTOR } from "@/lib/audit/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createApiKeyForUser } from "@/lib/auth/api-key-admin";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// Per-user and per-key request limits, through the real /v1 route handler.

let h: DatabaseHandle;
const DB_KEY = Symbol.for("knowledge-qa.database");
const keys: Record<string, string> = {};

beforeAll(async () => {
  h = await createTestDatabase();
  (globalThis as Record<symbol, unknown>)[DB_KEY] = Promise.resolve(h);
  process.env.USER_REQUESTS_PER_MINUTE = "5";
  process.env.API_KEY_REQUESTS_PER_MINUTE = "3";
  resetEnvCache();
  const analyst = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "analyst@example.org",
      name: "A",
      roles: ["employee"],
      password: "analyst password 1",
    },
  );
  const other = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "other@example.org",
      name: "O",
      roles: ["employee"],
      password: "other password 12",
    },
  );
  keys.first = (await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId: analyst.id, name: "first" })).key;
  keys.second = (await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId: analyst.id, name: "second" })).key;
  keys.other = (await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId: other.id, name: "other" })).key;
});

afterAll(async () => {
  delete (globalThis as Record<symbol, unknown>)[DB_KEY];
  delete process.env.USER_REQUESTS_PER_MINUTE;
  delete process.env.API_KEY_REQUESTS_PER_MINUTE;
  resetEnvCache();
  await h.close();
});

async function listModels(key: string): Promise<Response> {
  const { GET } = await import("@/app/v1/models/route");
  return GET(new Request("http://localhost/v1/models", { headers: { authorization: `Bearer ${key}` } }), {
    params: Promise.resolve({}),
  });
}

describe("request limits on /v1", () => {
  it("answers 429 with Retry-After, OpenAI-shaped, once a key has used its minute", async () => {
    for (let i = 0; i < 3; i++) expect((await listModels(keys.first!)).status).toBe(200);
    const refused = await listModels(keys.first!);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({
      error: {
        message: expect.stringMatching(/at most 3 a minute per API key\. Try again in \d+ seconds\./),
        type: "rate_limit_error",
        param: null,
        code: "rate_limited",
      },
    });
  });

  it("counts all of a user's keys together, so a second key buys no more than the user's limit", async () => {
    // The first key spent 3 of the user's 5 (its refused 4th spent none of the user's).
    expect((await listModels(keys.second!)).status).toBe(200);
    expect((await listModels(keys.second!)).status).toBe(200);
    const refused = await listModels(keys.second!);
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.message).toMatch(/at most 5 a minute per user/);
  });

  it("leaves other users alone", async () => {
    expect((await listModels(keys.other!)).status).toBe(200);
  });
});
