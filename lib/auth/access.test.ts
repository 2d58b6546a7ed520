import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import { insertDocument, listRestrictions, replaceRestrictions } from "@/db/queries/documents";
import { addCollection, addGrant, removeGrant } from "@/lib/collections/admin";
import { addGroup, addMemberByEmail, removeGroup } from "@/lib/groups/admin";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { actorFromUserId, type Actor } from "./actor";
import { requireCollection, requireReadableDocument, resolveReadScope } from "./access";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CLI_ACTOR } from "@/lib/audit/types";
import { restrictDocument } from "@/lib/documents/manage";
import { asUser, SYSTEM_ACTOR } from "@/lib/testing/actors";
import { openChunkStore } from "@/lib/vector/store";

let h: DatabaseHandle;
let nurse: string, clerk: string, admin: string;
let clinical: string, finance: string, wardGroup: string;

beforeAll(async () => {
  h = await createTestDatabase();
  admin = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: "admin@x.org", name: "A", roles: ["admin"], password: "admin password 1" },
    )
  ).id;
  nurse = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: "nurse@x.org", name: "N", roles: ["employee"], password: "nurse password 1" },
    )
  ).id;
  clerk = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: "clerk@x.org", name: "C", roles: ["employee"], password: "clerk password 1" },
    )
  ).id;
  wardGroup = (await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Ward 4", description: "" })).id;
  await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: wardGroup, email: "nurse@x.org" });
  clinical = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Clinical", description: "" })).id;
  finance = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Finance", description: "" })).id;
  await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, clinical, { role: "employee", access: "read" });
  await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, finance, { group: "Ward 4", access: "manage" });
});
afterAll(async () => h.close());

const actor = async (id: string) => (await actorFromUserId(h.db, id)) as Actor;

describe("read scope", () => {
  it("comes from role and group grants, with the strongest access", async () => {
    const n = await resolveReadScope(h.db, await actor(nurse));
    expect(n.collections.map((c) => [c.name, c.access])).toEqual([
      ["Clinical", "read"],
      ["Finance", "manage"],
    ]);
    const c = await resolveReadScope(h.db, await actor(clerk));
    expect(c.collectionIds).toEqual([clinical]);
    // Administrators administer; they read content only through grants.
    expect((await resolveReadScope(h.db, await actor(admin))).collectionIds).toEqual([]);
  });

  it("hides collections a person may not read, and separates reading from managing", async () => {
    await expect(requireCollection(h.db, await actor(clerk), finance, "read")).rejects.toMatchObject({ status: 404 });
    await expect(requireCollection(h.db, await actor(clerk), clinical, "manage")).rejects.toMatchObject({
      status: 403,
    });
    await expect(requireCollection(h.db, await actor(nurse), finance, "manage")).resolves.toMatchObject({
      access: "manage",
    });
    await expect(requireCollection(h.db, await actor(admin), finance, "manage")).resolves.toMatchObject({
      isAdmin: true,
    });
    await expect(requireCollection(h.db, await actor(admin), finance, "read")).rejects.toMatchObject({ status: 403 });
  });

  it("applies a revoked grant at once", async () => {
    const grant = await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, finance, { role: "employee", access: "read" });
    expect((await resolveReadScope(h.db, await actor(clerk))).collectionIds).toContain(finance);
    await removeGrant({ actor: SYSTEM_ACTOR, db: h.db }, finance, grant.id);
    expect((await resolveReadScope(h.db, await actor(clerk))).collectionIds).not.toContain(finance);
  });

  it("keeps documents restricted to a group from readers outside it", async () => {
    const doc = await insertDocument(h.db, { collectionId: clinical, name: "ward-only.md", createdBy: null });
    // Counted on every path that loads a collection, alone or through a grant.
    expect((await getCollectionById(h.db, { id: clinical }))?.documentCount).toBe(1);
    expect((await resolveReadScope(h.db, await actor(clerk))).collections[0]?.documentCount).toBe(1);
    await replaceRestrictions(h.db, { documentId: doc.id, groupIds: [wardGroup] });
    await expect(requireReadableDocument(h.db, await actor(nurse), doc)).resolves.toBeUndefined();
    await expect(requireReadableDocument(h.db, await actor(clerk), doc)).rejects.toMatchObject({ status: 404 });
    // A group that restricts documents cannot be deleted (that would open them up).
    await expect(removeGroup({ actor: SYSTEM_ACTOR, db: h.db }, wardGroup)).rejects.toMatchObject({
      code: "conflict",
      message: 'The group "Ward 4" restricts documents; lift those restrictions before deleting it.',
    });
  });

  it("lets only someone who may read a restricted document change its restriction", async () => {
    const store = await openChunkStore({
      uri: await mkdtemp(path.join(os.tmpdir(), "kq-restrict-")),
      embedderId: "t",
      dim: 4,
    });
    const doc = await insertDocument(h.db, { collectionId: clinical, name: "ward-rota.md", createdBy: null });
    await replaceRestrictions(h.db, { documentId: doc.id, groupIds: [wardGroup] });
    // The administrator manages every collection but holds no read grant on this one, nor Ward 4.
    await expect(
      restrictDocument({ actor: asUser(admin), db: h.db }, store, { documentId: doc.id, restrictedTo: [] }),
    ).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/restricted to groups you are not in/) });
    expect((await listRestrictions(h.db, { documentIds: [doc.id] })).get(doc.id)).toEqual([
      { id: wardGroup, name: "Ward 4" },
    ]);
    // A reader in Ward 4 who does not manage the collection may not change it at all.
    await expect(
      restrictDocument({ actor: asUser(nurse), db: h.db }, store, { documentId: doc.id, restrictedTo: [] }),
    ).rejects.toMatchObject({ status: 403, message: "You may read this collection but not manage it." });
    // Once Ward 4 manages the collection its member may; so may the operator at the command line.
    const manage = await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, clinical, { group: "Ward 4", access: "manage" });
    await expect(
      restrictDocument({ actor: asUser(nurse), db: h.db }, store, { documentId: doc.id, restrictedTo: [] }),
    ).resolves.toEqual([]);
    await restrictDocument({ actor: asUser(nurse), db: h.db }, store, { documentId: doc.id, restrictedTo: ["Ward 4"] });
    await expect(
      restrictDocument({ actor: CLI_ACTOR, db: h.db }, store, { documentId: doc.id, restrictedTo: [] }),
    ).resolves.toEqual([]);
    // Restricting a document nobody has restricted yet narrows it; managers may do that.
    await expect(
      restrictDocument({ actor: asUser(admin), db: h.db }, store, { documentId: doc.id, restrictedTo: ["Ward 4"] }),
    ).resolves.toHaveLength(1);
    await removeGrant({ actor: SYSTEM_ACTOR, db: h.db }, clinical, manage.id);
  });

  it("refuses grants to unknown groups and malformed grantees", async () => {
    await expect(
      addGrant({ actor: SYSTEM_ACTOR, db: h.db }, clinical, { group: "Nobody", access: "read" }),
    ).rejects.toMatchObject({
      message: 'No group named "Nobody".',
    });
    const { grantSchema } = await import("@/lib/collections/schemas");
    expect(grantSchema.safeParse({ group: "Ward 4", role: "admin" }).success).toBe(false);
    expect(grantSchema.safeParse({ role: "root" }).success).toBe(false);
    expect(grantSchema.safeParse({ role: "employee", access: "write" }).success).toBe(false);
  });
});
