import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listDocuments } from "@/db/queries/documents";
import { auditEvents } from "@/db/schema";
import { ingestVersion } from "@/ingest/pipeline";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { confirmPassages } from "@/lib/chat/confirm";
import { addCollection, addGrant } from "@/lib/collections/admin";
import { addGroup, addMemberByEmail } from "@/lib/groups/admin";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { retrieveForActor } from "@/lib/rag/retrieve";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { addUser } from "@/lib/users/admin";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { readerListingVersion } from "./effective";
import { documentDetailForCaller } from "./original";
import { documentChanges } from "./changes";
import { readPassage } from "./passage";
import { changeEffectiveDates, recordVersionsTakingEffect } from "./schedule";
import { acceptUpload } from "./upload";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// Versions over time with the real pieces (Postgres or PGlite, the pipeline, LanceDB, the
// embedder): two versions with different dates and facts, a question now and as of a past date,
// a version scheduled a few seconds ahead, and who may see and change what.

const parser = createTestParser();
const V1 = "# Isolation protocol\n\nVisitors to isolation rooms wear gloves only; gowns are not required.\n";
const V2 = "# Isolation protocol\n\nVisitors to isolation rooms wear a gown and gloves; a mask is optional.\n";
const V3 = "# Isolation protocol\n\nVisitors to isolation rooms wear a gown, gloves and an FFP2 mask.\n";
const QUESTION = "What do visitors to isolation rooms wear?";

let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let collectionId: string;
let reader: Actor, manager: Actor;
const ids = { document: "", v1: "", v2: "", v3: "" };

async function upload(text: string, effectiveFrom?: Date) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1e6 },
    {
      collectionId,
      fileName: "isolation.md",
      bytes: new TextEncoder().encode(text),
      ...(effectiveFrom ? { effectiveFrom } : {}),
    },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  await ingestVersion({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 1e7, parser }, r.versionId, {
    progress: async () => undefined,
  });
  return r;
}

const ask = (actor: Actor, asOf?: Date) =>
  retrieveForActor({ db: h.db, store, embedder, actor, question: QUESTION, ...(asOf ? { asOf } : {}) });

beforeAll(async () => {
  h = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-effective-"));
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  const r = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "r@x.org", name: "R", roles: ["employee"], password: "reader password 1" },
  );
  const m = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "m@x.org", name: "M", roles: ["employee"], password: "manager password 1" },
  );
  await addGroup({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Editors", description: "" });
  const editors = (await import("@/lib/groups/admin")).requireGroupByName;
  await addMemberByEmail(
    { actor: SYSTEM_ACTOR, db: h.db },
    { groupId: (await editors(h.db, "Editors")).id, email: "m@x.org" },
  );
  collectionId = (
    await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Infection control", description: "" })
  ).id;
  await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, collectionId, { role: "employee", access: "read" });
  await addGrant({ actor: SYSTEM_ACTOR, db: h.db }, collectionId, { group: "Editors", access: "manage" });
  reader = (await actorFromUserId(h.db, r.id))!;
  manager = (await actorFromUserId(h.db, m.id))!;

  const v1 = await upload(V1, new Date("2025-01-01T00:00:00Z"));
  const v2 = await upload(V2, new Date("2026-03-01T00:00:00Z"));
  ids.document = v1.documentId;
  ids.v1 = v1.versionId;
  ids.v2 = v2.versionId;
}, 180_000);

afterAll(async () => {
  await parser.close();
  await store?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("asking now and as of a date", () => {
  it("finds only the version in effect now for a current question", async () => {
    const found = await ask(reader);
    expect(new Set(found.hits.map((x) => x.versionId))).toEqual(new Set([ids.v2]));
  });

  it("finds only the version in effect on a past date, inside the LanceDB query", async () => {
    const found = await ask(reader, new Date("2025-06-01T12:00:00Z"));
    expect(new Set(found.hits.map((x) => x.versionId))).toEqual(new Set([ids.v1]));
    // The index itself answers by date: nothing from version 2 comes back for that moment.
    const raw = await store.textSearch("visitors isolation gloves", {
      access: { collectionIds: [collectionId], groupIds: [] },
      limit: 10,
      effectiveAt: Date.parse("2025-06-01T12:00:00Z"),
    });
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.every((x) => x.versionId === ids.v1)).toBe(true);
    // Before the first version took effect there is nothing to answer from.
    expect((await ask(reader, new Date("2024-06-01T00:00:00Z"))).hits).toEqual([]);
  });

  it("confirms an old version only for the moment it was in effect, and states its interval", async () => {
    const found = await ask(reader, new Date("2025-06-01T12:00:00Z"));
    const then = await confirmPassages(h.db, reader, found.hits, [collectionId], new Date("2025-06-01T12:00:00Z"));
    expect(then.passages.length).toBeGreaterThan(0);
    expect(then.versions.get(ids.v1)).toMatchObject({
      versionNumber: 1,
      interval: { from: new Date("2025-01-01T00:00:00Z"), until: new Date("2026-03-01T00:00:00Z") },
      newer: { versionId: ids.v2, versionNumber: 2 },
    });
    // The same hits checked for now are dropped: version 1 is no longer in effect.
    expect((await confirmPassages(h.db, reader, found.hits, [collectionId])).passages).toEqual([]);
  });

  it("lets a reader open the old version's passage only for an as-of citation", async () => {
    const passage = { documentId: ids.document, versionId: ids.v1, start: 0, end: 10 };
    await expect(readPassage(h.db, reader, passage)).rejects.toMatchObject({ status: 404 });
    const then = await readPassage(h.db, reader, { ...passage, asOf: new Date("2025-06-01T00:00:00Z") });
    expect(then).toMatchObject({
      versionNumber: 1,
      current: false,
      effectiveFrom: "2025-01-01T00:00:00.000Z",
      effectiveUntil: "2026-03-01T00:00:00.000Z",
    });
    // An asOf when version 1 was not yet (or no longer) in effect does not open it.
    await expect(
      readPassage(h.db, reader, { ...passage, asOf: new Date("2026-06-01T00:00:00Z") }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("a scheduled version", () => {
  it("is invisible to readers and questions until its date, then takes effect and is recorded", async () => {
    const takesEffect = new Date(Date.now() + 4_000);
    const v3 = await upload(V3, takesEffect);
    ids.v3 = v3.versionId;

    // Before its date: questions and readers see version 2; managers see the schedule.
    expect(new Set((await ask(reader)).hits.map((x) => x.versionId))).toEqual(new Set([ids.v2]));
    const forReader = await documentDetailForCaller(h.db, reader, ids.document);
    expect(forReader.versions.map((v) => v.id)).toEqual([ids.v2]);
    expect(JSON.stringify(forReader)).not.toContain(ids.v3);
    const listing = await listDocuments(h.db, { collectionId, latestId: (t) => readerListingVersion(t) });
    expect(listing[0]!.latest!.id).toBe(ids.v2);
    const forManager = await documentDetailForCaller(h.db, manager, ids.document);
    expect(forManager.versions.find((v) => v.id === ids.v3)).toMatchObject({ state: "scheduled" });
    await expect(
      readPassage(h.db, reader, { documentId: ids.document, versionId: ids.v3, start: 0, end: 10 }),
    ).rejects.toMatchObject({ status: 404 });
    expect(await recordVersionsTakingEffect(h.db)).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, takesEffect.getTime() - Date.now()) + 100));

    // At its date, without any action: the index admits it and retires version 2.
    expect(new Set((await ask(reader)).hits.map((x) => x.versionId))).toEqual(new Set([ids.v3]));
    expect((await documentDetailForCaller(h.db, reader, ids.document)).versions.map((v) => v.id)).toEqual([ids.v3]);
    // The record of it taking effect is written once, whoever sweeps.
    expect(await recordVersionsTakingEffect(h.db)).toBe(1);
    expect(await recordVersionsTakingEffect(h.db)).toBe(0);
    const [event] = await h.db
      .select({ type: auditEvents.type, actorId: auditEvents.actorId, payload: auditEvents.payload })
      .from(auditEvents)
      .where(eq(auditEvents.type, "document.took_effect"))
      .orderBy(desc(auditEvents.seq));
    expect(event).toMatchObject({
      actorId: null,
      payload: { versionId: ids.v3, versionNumber: 3, effectiveFrom: takesEffect.toISOString() },
    });
  }, 60_000);
});

describe("changing effective dates", () => {
  it("is for those who manage the collection, and bad intervals are refused without changing anything", async () => {
    await expect(
      changeEffectiveDates({ actor: reader, db: h.db }, store, {
        documentId: ids.document,
        versionId: ids.v3,
        effectiveUntil: new Date("2030-01-01T00:00:00Z"),
      }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      changeEffectiveDates({ actor: manager, db: h.db }, store, {
        documentId: ids.document,
        versionId: ids.v1,
        effectiveUntil: new Date("2024-01-01T00:00:00Z"),
      }),
    ).rejects.toMatchObject({ status: 400, message: "effectiveUntil must be later than effectiveFrom." });
    expect(new Set((await ask(reader, new Date("2025-06-01T00:00:00Z"))).hits.map((x) => x.versionId))).toEqual(
      new Set([ids.v1]),
    );
  });

  it("withdraws a version: from its end nothing of it is found, the earlier dates still are", async () => {
    const changed = await changeEffectiveDates({ actor: manager, db: h.db }, store, {
      documentId: ids.document,
      versionId: ids.v1,
      effectiveUntil: new Date("2025-07-01T00:00:00Z"),
    });
    expect(changed.interval).toEqual({ from: "2025-01-01T00:00:00.000Z", until: "2025-07-01T00:00:00.000Z" });
    expect((await ask(reader, new Date("2025-08-01T00:00:00Z"))).hits).toEqual([]);
    expect(new Set((await ask(reader, new Date("2025-06-01T00:00:00Z"))).hits.map((x) => x.versionId))).toEqual(
      new Set([ids.v1]),
    );
  });
});

describe("what changed between versions", () => {
  it("shows a reader the changed sentence between two versions that have been in effect, never a scheduled one", async () => {
    const changes = await documentChanges(h.db, reader, { documentId: ids.document, from: ids.v1, to: ids.v2 });
    expect(changes).toMatchObject({
      from: { versionNumber: 1, effectiveFrom: "2025-01-01T00:00:00.000Z" },
      to: { versionNumber: 2 },
      summary: { added: 0, removed: 0, changed: 1 },
    });
    expect(changes.sections[0]!.sentences).toEqual(
      expect.arrayContaining([
        { kind: "removed", text: expect.stringContaining("gloves only; gowns are not required.") },
        { kind: "added", text: expect.stringContaining("a gown and gloves; a mask is optional.") },
      ]),
    );
    const [read] = await h.db
      .select({ payload: auditEvents.payload })
      .from(auditEvents)
      .where(eq(auditEvents.type, "read.changes"))
      .orderBy(desc(auditEvents.seq));
    expect(read).toMatchObject({ payload: { versionId: ids.v2, fromVersionId: ids.v1 } });
    // Defaults: the version in effect now against the one before it.
    expect((await documentChanges(h.db, reader, { documentId: ids.document })).to.versionNumber).toBe(3);
  });

  it("refuses a scheduled version to readers and shows it to managers", async () => {
    const v4 = await upload(V1.replace("gloves only", "gloves and aprons"), new Date(Date.now() + 3_600_000));
    await expect(
      documentChanges(h.db, reader, { documentId: ids.document, from: ids.v3, to: v4.versionId }),
    ).rejects.toMatchObject({ status: 404, message: "No such version of this document." });
    // The pickers offer the reader the versions that have been in effect, never the scheduled one.
    const offered = (await documentChanges(h.db, reader, { documentId: ids.document })).versions;
    expect(offered.map((v) => v.versionNumber)).toEqual([1, 2, 3]);
    const forManager = await documentChanges(h.db, manager, {
      documentId: ids.document,
      from: ids.v3,
      to: v4.versionId,
    });
    expect(forManager.summary.changed).toBe(1);
    expect(forManager.versions.map((v) => v.versionId)).toContain(v4.versionId);
  });
});
