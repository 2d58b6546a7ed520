import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { getCollectionById, getCollectionByName, listGrants } from "@/db/queries/collections";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { addGroup, addMemberByEmail } from "@/lib/groups/admin";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser, updateUser } from "@/lib/users/admin";
import {
  addCollection,
  addGrant,
  changeCollection,
  changeCollectionPolicy,
  removeCollection,
  removeGrant,
  type ChunkPurger,
} from "./admin";

// The collection verbs decide for themselves who may call them, from the database at call time:
// a caller that skips the route's guard, or holds an identity read before a role was removed,
// is refused by the verb, and nothing is written or audited.

let h: DatabaseHandle;
let employee: Actor, manager: Actor, admin: Actor;
let wards: string, grantId: string;
const system = () => ({ actor: SYSTEM_ACTOR, db: h.db });
const noChunks: ChunkPurger = { deleteCollection: async () => 0, eraseRemoved: async () => undefined };

async function lastSeq(): Promise<number> {
  return (await listAuditEvents(h.db, { query: {}, limit: 1 }))[0]?.seq ?? 0;
}

async function user(email: string, roles: ("admin" | "employee")[]): Promise<Actor> {
  const { id } = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email, name: email, roles, password: `${email} long password` },
  );
  return (await actorFromUserId(h.db, id))!;
}

beforeAll(async () => {
  h = await createTestDatabase();
  employee = await user("reader@x.org", ["employee"]);
  manager = await user("manager@x.org", ["employee"]);
  admin = await user("admin@x.org", ["admin"]);
  await user("second-admin@x.org", ["admin"]);
  const editors = await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Editors", description: "" });
  await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: editors.id, email: manager.email });
  wards = (await addCollection(system(), { name: "Wards", description: "" })).id;
  grantId = (await addGrant(system(), wards, { role: "employee", access: "read" })).id;
  await addGrant(system(), wards, { group: "Editors", access: "manage" });
});
afterAll(async () => h.close());

describe("collection verbs refuse an unauthorised actor themselves", () => {
  it("a reader cannot create, rename, delete or grant, and nothing is written or audited", async () => {
    const ctx = { actor: employee, db: h.db };
    const before = await lastSeq();
    await expect(addCollection(ctx, { name: "Mine", description: "" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(changeCollection(ctx, wards, { name: "Renamed" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      removeCollection(ctx, { id: wards, confirm: "Wards", dataDir: "/nonexistent", chunks: noChunks }),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(addGrant(ctx, wards, { role: "employee", access: "manage" })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(removeGrant(ctx, wards, grantId)).rejects.toMatchObject({ code: "forbidden" });
    await expect(changeCollectionPolicy(ctx, wards, { patch: { pii: "mask" }, recheck: false })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect(await getCollectionByName(h.db, { name: "Mine" })).toBeNull();
    expect((await getCollectionById(h.db, { id: wards }))?.name).toBe("Wards");
    expect((await listGrants(h.db, { collectionId: wards })).find((g) => g.id === grantId)?.access).toBe("read");
    expect(await lastSeq()).toBe(before);
  });

  it("a manager may change the privacy policy but not the name, and not a collection they cannot see", async () => {
    const ctx = { actor: manager, db: h.db };
    await expect(changeCollection(ctx, wards, { name: "Renamed" })).rejects.toMatchObject({ code: "forbidden" });
    const { policy } = await changeCollectionPolicy(ctx, wards, { patch: { pii: "tag" }, recheck: false });
    expect(policy.pii).toBe("tag");
    const hidden = (await addCollection(system(), { name: "Board", description: "" })).id;
    await expect(changeCollectionPolicy(ctx, hidden, { patch: { pii: "mask" }, recheck: false })).rejects.toMatchObject(
      { code: "not_found" },
    );
  });

  it("an administrator read before losing the role, or before being disabled, is refused at call time", async () => {
    const stale = { actor: admin, db: h.db };
    const made = await addCollection(stale, { name: "While admin", description: "" });
    expect(made.id).toEqual(expect.any(String));
    await updateUser({ actor: SYSTEM_ACTOR, db: h.db }, { userId: admin.id, changes: { roles: ["employee"] } });
    await expect(addCollection(stale, { name: "After demotion", description: "" })).rejects.toMatchObject({
      code: "forbidden",
    });
    await updateUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { userId: admin.id, changes: { roles: ["admin"], disabled: true } },
    );
    await expect(addGrant(stale, wards, { role: "employee", access: "manage" })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect(await getCollectionByName(h.db, { name: "After demotion" })).toBeNull();
  });

  it("an actor with no user that is not the system is refused", async () => {
    const ctx = { actor: { id: null, email: null, via: "session" as const }, db: h.db };
    await expect(addCollection(ctx, { name: "Anonymous", description: "" })).rejects.toMatchObject({
      code: "unauthorized",
    });
  });
});
