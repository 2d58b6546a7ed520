import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { getGroupByName, listGroupMembers } from "@/db/queries/groups";
import { getUserByEmail, getUserWithAccess } from "@/db/queries/users";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { createApiKeyForUser, listOwnApiKeys, revokeApiKeyById, revokeApiKeyByPrefix } from "@/lib/auth/api-key-admin";
import { CLI_ACTOR } from "@/lib/audit/types";
import { addGroup, addMemberByEmail, removeGroup, removeMember } from "@/lib/groups/admin";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "./admin";
import { resetPassword } from "./passwords";

// Users, groups and API keys: each verb refuses an actor without the right by itself, from the
// database at call time, so a caller that forgot the guard (or kept an identity read before a
// role was removed) changes nothing and leaves nothing in the trail.

let h: DatabaseHandle;
let employee: Actor, admin: Actor;
let groupId: string;
const system = () => ({ actor: SYSTEM_ACTOR, db: h.db });

async function lastSeq(): Promise<number> {
  return (await listAuditEvents(h.db, { query: {}, limit: 1 }))[0]?.seq ?? 0;
}

async function user(email: string, roles: ("admin" | "employee")[]): Promise<Actor> {
  const { id } = await addUser(system(), { email, name: email, roles, password: `${email} long password` });
  return (await actorFromUserId(h.db, id))!;
}

beforeAll(async () => {
  h = await createTestDatabase();
  employee = await user("nurse@x.org", ["employee"]);
  admin = await user("admin@x.org", ["admin"]);
  await user("other-admin@x.org", ["admin"]);
  groupId = (await addGroup(system(), { name: "Ward 7", description: "" })).id;
  await addMemberByEmail(system(), { groupId, email: employee.email });
});
afterAll(async () => h.close());

describe("user, group and key verbs refuse an unauthorised actor themselves", () => {
  it("an employee cannot create users, promote themselves, reset passwords or change groups", async () => {
    const ctx = { actor: employee, db: h.db };
    const before = await lastSeq();
    const forbidden = { code: "forbidden" };
    await expect(
      addUser(ctx, { email: "new@x.org", name: "New", roles: ["admin"], password: "a long new password 1" }),
    ).rejects.toMatchObject(forbidden);
    await expect(updateUser(ctx, { userId: employee.id, changes: { roles: ["admin"] } })).rejects.toMatchObject(
      forbidden,
    );
    await expect(resetPassword(ctx, { userId: admin.id })).rejects.toMatchObject(forbidden);
    await expect(addGroup(ctx, { name: "Mine", description: "" })).rejects.toMatchObject(forbidden);
    await expect(addMemberByEmail(ctx, { groupId, email: admin.email })).rejects.toMatchObject(forbidden);
    await expect(removeMember(ctx, { groupId, userId: employee.id })).rejects.toMatchObject(forbidden);
    await expect(removeGroup(ctx, groupId)).rejects.toMatchObject(forbidden);

    expect(await getUserByEmail(h.db, { email: "new@x.org" })).toBeNull();
    expect((await getUserWithAccess(h.db, { id: employee.id }))?.roles).toEqual(["employee"]);
    expect(await getGroupByName(h.db, { name: "Mine" })).toBeNull();
    expect((await listGroupMembers(h.db, { groupId })).map((m) => m.email)).toEqual([employee.email]);
    expect(await lastSeq()).toBe(before);
  });

  it("an administrator demoted after the request began is refused by the verb", async () => {
    const stale = { actor: admin, db: h.db };
    await updateUser(system(), { userId: admin.id, changes: { roles: ["employee"] } });
    await expect(addGroup(stale, { name: "Late", description: "" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(updateUser(stale, { userId: admin.id, changes: { roles: ["admin"] } })).rejects.toMatchObject({
      code: "forbidden",
    });
    await updateUser(system(), { userId: admin.id, changes: { roles: ["admin"] } });
    expect((await addGroup(stale, { name: "Late", description: "" })).name).toBe("Late");
  });

  it("a user makes and revokes only their own keys; by prefix is for administrators", async () => {
    const mine = { actor: employee, db: h.db };
    await expect(createApiKeyForUser(mine, { userId: admin.id, name: "theirs" })).rejects.toMatchObject({
      code: "forbidden",
    });
    const { apiKey: adminKey } = await createApiKeyForUser(
      { actor: CLI_ACTOR, db: h.db },
      { userId: admin.id, name: "admin" },
    );
    await expect(revokeApiKeyById(mine, { id: adminKey.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(revokeApiKeyByPrefix(mine, { prefix: adminKey.prefix })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect((await listOwnApiKeys(h.db, admin.id)).find((k) => k.id === adminKey.id)?.revokedAt).toBeNull();

    const { apiKey: own } = await createApiKeyForUser(mine, { userId: employee.id, name: "mine" });
    await revokeApiKeyById(mine, { id: own.id });
    expect((await listOwnApiKeys(h.db, employee.id)).find((k) => k.id === own.id)?.revokedAt).not.toBeNull();
  });
});
