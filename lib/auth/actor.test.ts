import { CLI_ACTOR } from "@/lib/audit/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "@/lib/users/admin";
import { addGroup, addMemberByEmail } from "@/lib/groups/admin";
import { actorFromApiKey, actorFromUserId } from "./actor";
import { createApiKeyForUser, revokeApiKeyById, revokeApiKeyByPrefix } from "./api-key-admin";
import { SYSTEM_ACTOR, asUser } from "@/lib/testing/actors";

let h: DatabaseHandle;
let adminId: string;
let userId: string;

beforeAll(async () => {
  h = await createTestDatabase();
  adminId = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: "admin@example.org", name: "Admin", roles: ["admin"], password: "admin password 1" },
    )
  ).id;
  userId = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      {
        email: "clerk@example.org",
        name: "Clerk",
        roles: ["employee"],
        password: "clerk password 1",
      },
    )
  ).id;
  const g = await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Ward 4", description: "" });
  await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: g.id, email: "clerk@example.org" });
});
afterAll(async () => h.close());

describe("actors", () => {
  it("reads roles and groups from the database on every call", async () => {
    const before = await actorFromUserId(h.db, userId);
    expect(before).toMatchObject({ email: "clerk@example.org", roles: ["employee"], groups: [{ name: "Ward 4" }] });
    await updateUser({ actor: asUser(adminId), db: h.db }, { userId, changes: { roles: ["compliance", "employee"] } });
    expect((await actorFromUserId(h.db, userId))?.roles).toEqual(["compliance", "employee"]);
    await updateUser({ actor: asUser(adminId), db: h.db }, { userId, changes: { roles: ["employee"] } });
  });

  it("returns no actor for a disabled or deleted user", async () => {
    await updateUser({ actor: asUser(adminId), db: h.db }, { userId, changes: { disabled: true } });
    expect(await actorFromUserId(h.db, userId)).toBeNull();
    await updateUser({ actor: asUser(adminId), db: h.db }, { userId, changes: { disabled: false } });
    expect(await actorFromUserId(h.db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("authenticates an API key as its owner until it is revoked", async () => {
    const { key, apiKey } = await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId, name: "script" });
    expect(key).toMatch(/^kq_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`kq_${apiKey.prefix}_`)).toBe(true);
    const actor = await actorFromApiKey(h.db, key);
    expect(actor).toMatchObject({ id: userId, via: "api_key" });

    await revokeApiKeyById({ actor: asUser(userId), db: h.db }, { id: apiKey.id });
    await expect(actorFromApiKey(h.db, key)).rejects.toMatchObject({
      status: 401,
      message: "Invalid or revoked API key.",
    });
    await expect(revokeApiKeyById({ actor: asUser(userId), db: h.db }, { id: apiKey.id })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("refuses a key of a disabled owner, a malformed key and a key with one character changed", async () => {
    const { key } = await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId, name: "other" });
    const tampered = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A");
    await expect(actorFromApiKey(h.db, tampered)).rejects.toMatchObject({ status: 401 });
    await expect(actorFromApiKey(h.db, "not-a-key")).rejects.toMatchObject({ status: 401 });
    await updateUser({ actor: asUser(adminId), db: h.db }, { userId, changes: { disabled: true } });
    await expect(actorFromApiKey(h.db, key)).rejects.toMatchObject({ status: 401, message: /disabled/ });
    await updateUser({ actor: asUser(adminId), db: h.db }, { userId, changes: { disabled: false } });
    expect((await actorFromApiKey(h.db, key)).id).toBe(userId);
  });

  it("does not let a user revoke someone else's key", async () => {
    const { apiKey } = await createApiKeyForUser(
      { actor: CLI_ACTOR, db: h.db },
      { userId: adminId, name: "admin key" },
    );
    await expect(revokeApiKeyById({ actor: asUser(userId), db: h.db }, { id: apiKey.id })).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("revokes by prefix with or without the kq_ start, and names an unknown prefix", async () => {
    const { key, apiKey } = await createApiKeyForUser({ actor: CLI_ACTOR, db: h.db }, { userId, name: "cli" });
    await revokeApiKeyByPrefix({ actor: SYSTEM_ACTOR, db: h.db }, { prefix: `kq_${apiKey.prefix}` });
    await expect(actorFromApiKey(h.db, key)).rejects.toMatchObject({ status: 401 });
    await expect(
      revokeApiKeyByPrefix({ actor: SYSTEM_ACTOR, db: h.db }, { prefix: apiKey.prefix }),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(revokeApiKeyByPrefix({ actor: SYSTEM_ACTOR, db: h.db }, { prefix: "ffffffff" })).rejects.toMatchObject(
      {
        message: "No API key with the prefix ffffffff.",
      },
    );
  });
});
