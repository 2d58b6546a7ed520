import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { CLI_ACTOR, type AuditActor } from "@/lib/audit/types";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { createApiKeyForUser, listOwnApiKeys } from "./api-key-admin";
import { effectiveKeyExpiry, newKeyExpiry, parseExpiresIn, type ApiKeyScope } from "./api-key-policy";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// API key expiry, scopes and the rule that a key never makes a key, through the real route handlers.

let h: DatabaseHandle;
const DB_KEY = Symbol.for("knowledge-qa.database");
const DAY = 86_400_000;
let owner: { id: string; email: string };
let session: AuditActor;

beforeAll(async () => {
  h = await createTestDatabase();
  (globalThis as Record<symbol, unknown>)[DB_KEY] = Promise.resolve(h);
  process.env.API_KEY_MAX_DAYS = "90";
  resetEnvCache();
  owner = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    {
      email: "keys@example.org",
      name: "K",
      roles: ["employee", "admin"],
      password: "keys password 123",
    },
  );
  session = { id: owner.id, email: owner.email, via: "session" };
});

afterAll(async () => {
  delete (globalThis as Record<symbol, unknown>)[DB_KEY];
  delete process.env.API_KEY_MAX_DAYS;
  resetEnvCache();
  await h.close();
});

async function keyWith(scopes: ApiKeyScope[], expiresInDays?: number): Promise<string> {
  return (
    await createApiKeyForUser(
      { actor: session, db: h.db },
      { userId: owner.id, name: scopes.join("+"), scopes, expiresInDays },
    )
  ).key;
}

function call(key: string, method: string, path: string, body?: unknown): Request {
  return new Request(`http://localhost${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

const noParams = { params: Promise.resolve({}) };

describe("API key lifetimes", () => {
  it("reads --expires-in as days, weeks or years and names a malformed one", () => {
    expect(parseExpiresIn("90d")).toBe(90);
    expect(parseExpiresIn("12w")).toBe(84);
    expect(parseExpiresIn("1y")).toBe(365);
    expect(parseExpiresIn("30")).toBe(30);
    expect(() => parseExpiresIn("0d")).toThrow(/at least 1d/);
    expect(() => parseExpiresIn("soon")).toThrow(/--expires-in must look like 90d, 12w or 1y, not "soon"/);
  });

  it("refuses a lifetime past the server maximum, naming the setting, and writes no key", async () => {
    expect(() => newKeyExpiry(91, 90)).toThrow(/at most 90 days on this server \(API_KEY_MAX_DAYS\)/);
    const before = (await listOwnApiKeys(h.db, owner.id)).length;
    await expect(
      createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId: owner.id, name: "too long", expiresInDays: 400 }),
    ).rejects.toMatchObject({ status: 400, message: /at most 90 days/ });
    expect((await listOwnApiKeys(h.db, owner.id)).length).toBe(before);
  });

  it("gives a key without an expiry the server maximum, and caps older keys by it too", async () => {
    const { apiKey } = await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId: owner.id, name: "default" });
    const days = (apiKey.expiresAt!.getTime() - apiKey.createdAt.getTime()) / DAY;
    expect(Math.round(days)).toBe(90);
    const created = new Date("2026-01-01T00:00:00Z");
    expect(effectiveKeyExpiry({ createdAt: created, expiresAt: null }, 30).toISOString()).toBe(
      "2026-01-31T00:00:00.000Z",
    );
    expect(effectiveKeyExpiry({ createdAt: created, expiresAt: new Date("2026-01-10T00:00:00Z") }, 30).getDate()).toBe(
      10,
    );
  });

  it("answers 401 saying the key expired, for its own expiry and for the server maximum", async () => {
    const { GET } = await import("@/app/api/me/route");
    const key = await keyWith(["read"], 1);
    expect((await GET(call(key, "GET", "/api/me"), noParams)).status).toBe(200);

    const prefix = key.split("_")[1]!;
    await h.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.prefix, prefix));
    const expired = await GET(call(key, "GET", "/api/me"), noParams);
    expect(expired.status).toBe(401);
    expect((await expired.json()).error.message).toMatch(/^This API key expired on \d{4}-\d\d-\d\dT/);

    // A key from before expiry existed (no expires_at) made 100 days ago, under a 90-day maximum.
    const old = await keyWith(["read"]);
    await h.db
      .update(apiKeys)
      .set({ expiresAt: null, createdAt: new Date(Date.now() - 100 * DAY) })
      .where(eq(apiKeys.prefix, old.split("_")[1]!));
    const capped = await GET(call(old, "GET", "/api/me"), noParams);
    expect(capped.status).toBe(401);
    expect((await capped.json()).error.message).toMatch(/expired/);
  });

  it("records when a key was last used and lists it", async () => {
    const { GET } = await import("@/app/api/me/route");
    const key = await keyWith(["read"]);
    const prefix = key.split("_")[1]!;
    expect((await listOwnApiKeys(h.db, owner.id)).find((k) => k.prefix === prefix)?.lastUsedAt).toBeNull();
    await GET(call(key, "GET", "/api/me"), noParams);
    const used = (await listOwnApiKeys(h.db, owner.id)).find((k) => k.prefix === prefix)?.lastUsedAt;
    expect(used?.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe("API key scopes", () => {
  it("lets a chat key ask and list models but not read collections or administer", async () => {
    const key = await keyWith(["chat"]);
    const models = await import("@/app/v1/models/route");
    expect((await models.GET(call(key, "GET", "/v1/models"), noParams)).status).toBe(200);

    const collections = await import("@/app/api/collections/route");
    const read = await collections.GET(call(key, "GET", "/api/collections"), noParams);
    expect(read.status).toBe(403);
    expect((await read.json()).error.message).toMatch(/needs the "read" scope and has chat/);

    const users = await import("@/app/api/users/route");
    expect((await users.GET(call(key, "GET", "/api/users"), noParams)).status).toBe(403);
  });

  it("lets a read key read but not ask a question or create a collection", async () => {
    const key = await keyWith(["read"]);
    const collections = await import("@/app/api/collections/route");
    expect((await collections.GET(call(key, "GET", "/api/collections"), noParams)).status).toBe(200);
    const created = await collections.POST(call(key, "POST", "/api/collections", { name: "Via a read key" }), noParams);
    expect(created.status).toBe(403);
    expect((await created.json()).error.message).toMatch(/needs the "admin" scope/);

    const chat = await import("@/app/api/chat/route");
    const asked = await chat.POST(
      call(key, "POST", "/api/chat", { question: "What is the sepsis protocol?" }),
      noParams,
    );
    expect(asked.status).toBe(403);
    const v1 = await import("@/app/v1/chat/completions/route");
    const completion = await v1.POST(
      call(key, "POST", "/v1/chat/completions", { model: "x", messages: [{ role: "user", content: "hi" }] }),
      noParams,
    );
    expect(completion.status).toBe(403);
    expect((await completion.json()).error.message).toMatch(/needs the "chat" scope/);
  });

  it("lets an admin-scoped key of an administrator administer", async () => {
    const key = await keyWith(["admin"]);
    const users = await import("@/app/api/users/route");
    expect((await users.GET(call(key, "GET", "/api/users"), noParams)).status).toBe(200);
  });
});

describe("a key never creates a key", () => {
  it("refuses POST /api/api-keys with a key of every scope, and writes nothing", async () => {
    const key = await keyWith(["chat", "read", "admin"]);
    const before = (await listOwnApiKeys(h.db, owner.id)).length;
    const { POST } = await import("@/app/api/api-keys/route");
    const res = await POST(call(key, "POST", "/api/api-keys", { name: "minted by a key" }), noParams);
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/An API key cannot create API keys/);
    expect((await listOwnApiKeys(h.db, owner.id)).length).toBe(before);
  });

  it("refuses the verb itself for an actor that came with a key or is the system", async () => {
    for (const via of ["api_key", "system", "sso"] as const) {
      await expect(
        createApiKeyForUser(
          { actor: { id: owner.id, email: owner.email, via }, db: h.db },
          { userId: owner.id, name: "x" },
        ),
      ).rejects.toMatchObject({ status: 403 });
    }
  });
});
