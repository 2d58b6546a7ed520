import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { ingestVersion } from "@/ingest/pipeline";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { addCollection, addGrant, removeGrant } from "@/lib/collections/admin";
import { restrictDocument } from "@/lib/documents/manage";
import { acceptUpload } from "@/lib/documents/upload";
import { addGroup, addMemberByEmail, removeMember } from "@/lib/groups/admin";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { addUser } from "@/lib/users/admin";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { retrieveForActor, searchPassages } from "./retrieve";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// Leak tests for retrieval with the real pieces: Postgres (or PGlite), documents ingested by the
// pipeline into LanceDB, the USE-lite embedder. Whatever the question, a user only ever gets
// passages from collections granted to them, and restricted documents only inside their groups.

const parser = createTestParser();
const HAND_HYGIENE =
  "# Hand hygiene\n\nClean your hands with alcohol rub before and after every patient contact, and wash them with soap and water when they are visibly soiled.\n";
const WARD_SECRET_LINE = "The ward 4 night medication safe code is HERON-7731 and only the charge nurse may open it.";
const WARD_NOTE = `# Ward 4 night staffing\n\n${WARD_SECRET_LINE}\n`;
const FINANCE_LINE = "Executive bonus pool for 2026 is 4.2 million and the ledger codeword is CRIMSON-5520.";
const FINANCE_NOTE = `# Salary bands\n\n${FINANCE_LINE}\n`;

let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let clinical: string, finance: string;
let nurse: string, clerk: string, admin: string;
let financeGrant: string;
let wardGroup: string;
let wardDoc: string, financeDoc: string;

async function ingest(collectionId: string, fileName: string, text: string): Promise<string> {
  const upload = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1e6 },
    { collectionId, fileName, bytes: new TextEncoder().encode(text) },
  );
  if (upload.status !== "queued") throw new Error(`upload ${fileName}: ${upload.status}`);
  await ingestVersion({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 1e7, parser }, upload.versionId, {
    progress: async () => undefined,
  });
  return upload.documentId;
}

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-retrieve-"));
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
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
  await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Finance team", description: "" });
  await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: wardGroup, email: "nurse@x.org" });
  const financeTeam = (await import("@/lib/groups/admin")).requireGroupByName;
  await addMemberByEmail(
    { actor: SYSTEM_ACTOR, db: h.db },
    { groupId: (await financeTeam(h.db, "Finance team")).id, email: "clerk@x.org" },
  );
  clinical = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Clinical", description: "" })).id;
  finance = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Finance", description: "" })).id;
  await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, clinical, { role: "employee", access: "read" });
  financeGrant = (await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, finance, { group: "Finance team", access: "read" }))
    .id;

  await ingest(clinical, "hand-hygiene.md", HAND_HYGIENE);
  wardDoc = await ingest(clinical, "ward-4-night.md", WARD_NOTE);
  await restrictDocument({ actor: SYSTEM_ACTOR, db: h.db }, store, { documentId: wardDoc, restrictedTo: ["Ward 4"] });
  financeDoc = await ingest(finance, "salary-bands.md", FINANCE_NOTE);
}, 180_000);

afterAll(async () => {
  await parser.close();
  await store?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const actor = async (id: string) => (await actorFromUserId(h.db, id)) as Actor;
const retrieve = async (userId: string, question: string, extra: { limit?: number; collectionIds?: string[] } = {}) =>
  retrieveForActor({ db: h.db, store, embedder, actor: await actor(userId), question, ...extra });
const allText = (r: { hits: { text: string; title: string; headingPath: string }[] }) =>
  r.hits.map((x) => `${x.title} ${x.headingPath} ${x.text}`).join("\n");

describe("retrieveForActor", () => {
  it("never gives another collection's text to a user without a grant, whatever the question", async () => {
    for (const question of [
      FINANCE_LINE,
      FINANCE_NOTE,
      "CRIMSON-5520",
      "executive bonus pool ledger codeword",
      "salary bands",
    ]) {
      for (const limit of [1, 100]) {
        const r = await retrieve(nurse, question, { limit });
        expect(r.hits.every((x) => x.collectionId === clinical)).toBe(true);
        expect(r.hits.some((x) => x.documentId === financeDoc)).toBe(false);
        expect(allText(r)).not.toMatch(/CRIMSON|bonus pool|Salary bands/i);
        expect(r.scope.collectionIds).toEqual([clinical]);
      }
    }
    // Premise: the question does find that passage for someone who may read it.
    const clerkView = await retrieve(clerk, FINANCE_LINE, { limit: 1 });
    expect(clerkView.hits[0]!.text).toContain(FINANCE_LINE);
  });

  it("hides a document restricted to a group from readers outside it and shows it to members", async () => {
    for (const limit of [1, 100]) {
      const outside = await retrieve(clerk, WARD_SECRET_LINE, { limit });
      expect(outside.hits.some((x) => x.documentId === wardDoc)).toBe(false);
      expect(allText(outside)).not.toMatch(/HERON|medication safe|Ward 4 night/i);
    }
    const member = await retrieve(nurse, WARD_SECRET_LINE, { limit: 1 });
    expect(member.hits[0]).toMatchObject({ documentId: wardDoc, restrictedTo: [wardGroup] });
    expect(member.hits[0]!.text).toContain(WARD_SECRET_LINE);
  });

  it("lets requested collections narrow the search but never widen it, without saying which id failed", async () => {
    const narrowed = await retrieve(clerk, "hand hygiene alcohol rub", { collectionIds: [finance] });
    expect(narrowed.scope.collectionIds).toEqual([finance]);
    expect(narrowed.hits.every((x) => x.collectionId === finance)).toBe(true);
    const both = await retrieve(clerk, "hand hygiene alcohol rub", { collectionIds: [finance, clinical] });
    expect(both.hits[0]!.collectionId).toBe(clinical);

    const notFound = { code: "not_found", status: 404, message: "No collection with this id." };
    await expect(retrieve(nurse, FINANCE_LINE, { collectionIds: [finance] })).rejects.toMatchObject(notFound);
    await expect(retrieve(nurse, FINANCE_LINE, { collectionIds: [clinical, finance] })).rejects.toMatchObject(notFound);
    await expect(retrieve(nurse, FINANCE_LINE, { collectionIds: [randomUUID()] })).rejects.toMatchObject(notFound);
    await expect(retrieve(nurse, FINANCE_LINE, { collectionIds: ["') OR 1=1 --"] })).rejects.toMatchObject(notFound);
    // Ids are matched as Postgres prints them, whatever their case.
    const upper = await retrieve(nurse, "hand hygiene", { collectionIds: [clinical.toUpperCase()] });
    expect(upper.hits[0]!.collectionId).toBe(clinical);
  });

  it("applies a revoked grant and a removed membership to the very next call", async () => {
    expect((await retrieve(clerk, FINANCE_LINE, { limit: 1 })).hits[0]!.documentId).toBe(financeDoc);
    await removeGrant({ actor: SYSTEM_ACTOR, db: h.db }, finance, financeGrant);
    try {
      const after = await retrieve(clerk, FINANCE_LINE, { limit: 100 });
      expect(after.hits.some((x) => x.collectionId === finance)).toBe(false);
      expect(allText(after)).not.toMatch(/CRIMSON/);
      await expect(retrieve(clerk, FINANCE_LINE, { collectionIds: [finance] })).rejects.toMatchObject({ status: 404 });
    } finally {
      financeGrant = (
        await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, finance, { group: "Finance team", access: "read" })
      ).id;
    }

    // The actor object is from before the change, as in a request already under way.
    const stale = await actor(nurse);
    await removeMember({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: wardGroup, userId: nurse });
    try {
      const r = await retrieveForActor({
        db: h.db,
        store,
        embedder,
        actor: stale,
        question: WARD_SECRET_LINE,
        limit: 100,
      });
      expect(r.hits.some((x) => x.documentId === wardDoc)).toBe(false);
      expect(r.scope.groupIds).toEqual([]);
    } finally {
      await addMemberByEmail({ actor: SYSTEM_ACTOR, db: h.db }, { groupId: wardGroup, email: "nurse@x.org" });
    }
  });

  it("answers a user with no readable collection with nothing, without querying LanceDB", async () => {
    let searches = 0;
    // The real store, with its searches counted.
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if ((prop === "vectorSearch" || prop === "textSearch") && typeof value === "function") {
          return (...args: unknown[]) => {
            searches++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value;
      },
    });
    // Administrators administer collections but read content only through grants.
    const r = await retrieveForActor({
      db: h.db,
      store: counted,
      embedder,
      actor: await actor(admin),
      question: FINANCE_LINE,
      limit: 100,
    });
    expect(r).toMatchObject({ hits: [], candidates: 0, belowFloor: 0, scope: { collectionIds: [] } });
    expect(searches).toBe(0);
    await retrieveForActor({ db: h.db, store: counted, embedder, actor: await actor(clerk), question: FINANCE_LINE });
    expect(searches).toBe(2);
  });

  it("refuses a disabled account, an empty question and an impossible limit with clear errors", async () => {
    await expect(retrieve(nurse, "   ")).rejects.toMatchObject({
      code: "invalid_request",
      message: "The question is empty.",
    });
    await expect(retrieve(nurse, "x".repeat(4001))).rejects.toMatchObject({
      code: "invalid_request",
      message: "The question is longer than 4000 characters.",
    });
    await expect(retrieve(nurse, "hand hygiene", { limit: 0 })).rejects.toMatchObject({
      code: "invalid_request",
      message: "limit must be an integer from 1 to 200.",
    });
    const { setUserDisabled } = await import("@/db/queries/users");
    const before = await actor(clerk);
    await setUserDisabled(h.db, { userId: clerk, disabled: true });
    try {
      await expect(
        retrieveForActor({ db: h.db, store, embedder, actor: before, question: FINANCE_LINE }),
      ).rejects.toMatchObject({ code: "unauthorized" });
    } finally {
      await setUserDisabled(h.db, { userId: clerk, disabled: false });
    }
  });
});

describe("searchPassages", () => {
  it("puts the access filter inside both searches: a forbidden exact match neither appears nor crowds out", async () => {
    const access = { collectionIds: [clinical], groupIds: [] };
    const r = await searchPassages({ store, embedder, access, question: WARD_SECRET_LINE, limit: 1, floor: null });
    // A post-filter would have fetched the restricted passage first and returned nothing.
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]!.documentId).not.toBe(wardDoc);
    expect(r.timings.totalMs).toBeGreaterThanOrEqual(r.timings.fuseMs);
  });
});
