import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { basisVector, chunkRow, docFixture, type DocFixture } from "./chunk-fixtures";
import { EVERYONE_GROUP } from "./access-filter";
import { chunkSchema, TABLE_NAME, toRecord } from "./chunk-schema";
import { connectLance } from "./lance-runtime";
import { InvalidChunkError, InvalidIdError, openChunkStore, type AccessFilter, type ChunkStore } from "./store";

const DIM = 8;
const EMBEDDER = "test-embedder@1";
const A = randomUUID();
const B = randomUUID();
const G = randomUUID();
const H = randomUUID();

let dir: string;
let store: ChunkStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "chunk-store-"));
  store = await openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: DIM });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const PUBLIC_TEXT = "zebracrossing public guidance for the ward";
const SECRET_TEXT = "zebracrossing zebracrossing zebracrossing restricted salary table";
const OTHER_TEXT = "zebracrossing zebracrossing zebracrossing other collection memo";

/**
 * A readable document, a document of the same collection restricted to G, a document in another
 * collection, and filler in both (unindexed rows are scored among the rows that pass the filter,
 * and there LanceDB scores a term found in most of them as zero).
 */
async function seedLeakFixture(indexed: boolean) {
  const pub = docFixture(A);
  const secret = docFixture(A, [G]);
  const other = docFixture(B);
  const filler = docFixture(A);
  const fillerB = docFixture(B);
  await store.replaceVersionChunks(pub.versionId, [chunkRow(pub, 0, PUBLIC_TEXT, basisVector(DIM, 0))]);
  await store.replaceVersionChunks(secret.versionId, [chunkRow(secret, 0, SECRET_TEXT, basisVector(DIM, 1))]);
  await store.replaceVersionChunks(other.versionId, [chunkRow(other, 0, OTHER_TEXT, basisVector(DIM, 2))]);
  const fillerRows = [3, 4, 5, 6].map((axis, i) =>
    chunkRow(filler, i, `unrelated filler about parking number ${i}`, basisVector(DIM, axis)),
  );
  await store.replaceVersionChunks(filler.versionId, fillerRows);
  await store.replaceVersionChunks(
    fillerB.versionId,
    [0, 1].map((i) => chunkRow(fillerB, i, `archive box ${i} location`, basisVector(DIM, 7))),
  );
  if (indexed) expect((await store.ensureIndexes()).optimized).toBe(true);
  return { pub, secret, other, forbidden: [secret.documentId, other.documentId] };
}

const onlyA: AccessFilter = { collectionIds: [A], groupIds: [] };

// Rows not yet folded into the FTS index are scanned flat by a different LanceDB code path: both are checked.
describe.each([
  ["before ensureIndexes", false],
  ["after ensureIndexes", true],
])("access filter inside the query (%s)", (_label, indexed) => {
  it("never returns another collection's or a restricted document's text, by vector or by text", async () => {
    const { pub, forbidden } = await seedLeakFixture(indexed);
    for (const vector of [basisVector(DIM, 1), basisVector(DIM, 2)]) {
      const hits = await store.vectorSearch(vector, { access: onlyA, limit: 100 });
      expect(hits).toHaveLength(5);
      expect(hits.filter((h) => forbidden.includes(h.documentId))).toEqual([]);
    }
    for (const query of [SECRET_TEXT, OTHER_TEXT, "salary", "memo", "zebracrossing"]) {
      const hits = await store.textSearch(query, { access: onlyA, limit: 100 });
      expect(hits.filter((h) => forbidden.includes(h.documentId))).toEqual([]);
      expect(hits.map((h) => h.text).join(" ")).not.toMatch(/salary|memo/);
    }
    expect((await store.textSearch(SECRET_TEXT, { access: onlyA, limit: 100 })).map((h) => h.documentId)).toEqual([
      pub.documentId,
    ]);
  });

  it("filters before the limit (a prefilter), so forbidden rows cannot crowd out readable ones", async () => {
    const { pub, secret, forbidden } = await seedLeakFixture(indexed);
    // Premise: with full access the forbidden rows are the better matches.
    const everything: AccessFilter = { collectionIds: [A, B], groupIds: [G] };
    expect((await store.vectorSearch(basisVector(DIM, 1), { access: everything, limit: 1 }))[0]!.documentId).toBe(
      secret.documentId,
    );
    expect(forbidden).toContain(
      (await store.textSearch("zebracrossing", { access: everything, limit: 1 }))[0]!.documentId,
    );
    // A post-filter would return nothing here; a prefilter returns the best readable row.
    expect(
      (await store.vectorSearch(basisVector(DIM, 1), { access: onlyA, limit: 1 })).map((h) => h.documentId),
    ).toHaveLength(1);
    expect((await store.vectorSearch(basisVector(DIM, 1), { access: onlyA, limit: 1 }))[0]!.documentId).not.toBe(
      secret.documentId,
    );
    expect((await store.textSearch("zebracrossing", { access: onlyA, limit: 1 })).map((h) => h.documentId)).toEqual([
      pub.documentId,
    ]);
  });

  it("shows a restricted document to a member of one of its groups, and only to them", async () => {
    const { secret } = await seedLeakFixture(indexed);
    const inG: AccessFilter = { collectionIds: [A], groupIds: [H, G] };
    expect((await store.vectorSearch(basisVector(DIM, 1), { access: inG, limit: 5 }))[0]!.documentId).toBe(
      secret.documentId,
    );
    expect((await store.textSearch(SECRET_TEXT, { access: inG, limit: 5 }))[0]!.text).toBe(SECRET_TEXT);
    const inH: AccessFilter = { collectionIds: [A], groupIds: [H] };
    expect(
      (await store.vectorSearch(basisVector(DIM, 1), { access: inH, limit: 100 })).some(
        (h) => h.documentId === secret.documentId,
      ),
    ).toBe(false);
    expect(
      (await store.textSearch(SECRET_TEXT, { access: inH, limit: 100 })).some(
        (h) => h.documentId === secret.documentId,
      ),
    ).toBe(false);
  });

  it("answers [] when nothing is readable, and collectionIds only narrows", async () => {
    const { other } = await seedLeakFixture(indexed);
    const none: AccessFilter = { collectionIds: [], groupIds: [G] };
    expect(await store.vectorSearch(basisVector(DIM, 0), { access: none, limit: 10 })).toEqual([]);
    expect(await store.textSearch("zebracrossing", { access: none, limit: 10 })).toEqual([]);
    expect(await store.vectorSearch(basisVector(DIM, 2), { access: onlyA, limit: 10, collectionIds: [B] })).toEqual([]);
    const narrowed = await store.textSearch("zebracrossing", {
      access: { collectionIds: [A, B], groupIds: [] },
      limit: 10,
      collectionIds: [B],
    });
    expect(narrowed.map((h) => h.documentId)).toEqual([other.documentId]);
  });

  it("applies a restriction change to the next search, and lifting it restores access", async () => {
    const { pub } = await seedLeakFixture(indexed);
    await store.setDocumentRestriction(pub.documentId, [G]);
    expect(
      (await store.vectorSearch(basisVector(DIM, 0), { access: onlyA, limit: 100 })).some(
        (h) => h.documentId === pub.documentId,
      ),
    ).toBe(false);
    expect(await store.textSearch("ward", { access: onlyA, limit: 100 })).toEqual([]);
    expect(
      (await store.textSearch("ward", { access: { collectionIds: [A], groupIds: [G] }, limit: 5 }))[0]!.restrictedTo,
    ).toEqual([G]);
    await store.setDocumentRestriction(pub.documentId, []);
    expect((await store.textSearch("ward", { access: onlyA, limit: 5 })).map((h) => h.documentId)).toEqual([
      pub.documentId,
    ]);
  });
});

describe("ids", () => {
  it("accepts ids in upper case and refuses anything that is not a UUID", async () => {
    const { pub } = await seedLeakFixture(false);
    const upper = await store.vectorSearch(basisVector(DIM, 0), {
      access: { collectionIds: [A.toUpperCase()], groupIds: [] },
      limit: 1,
    });
    expect(upper[0]!.documentId).toBe(pub.documentId);
    const injection = { collectionIds: [`${A}') OR (1=1`], groupIds: [] };
    await expect(store.vectorSearch(basisVector(DIM, 0), { access: injection, limit: 1 })).rejects.toThrow(
      InvalidIdError,
    );
    await expect(
      store.textSearch("ward", { access: { collectionIds: [A], groupIds: ["' OR '1'='1"] }, limit: 1 }),
    ).rejects.toThrow(InvalidIdError);
    await expect(store.deleteDocument("x' OR 1=1 --")).rejects.toThrow(InvalidIdError);
    expect(await store.countRows()).toBe(9);
  });
});

describe("writes", () => {
  const rows = (doc: DocFixture, n: number) =>
    Array.from({ length: n }, (_, i) => chunkRow(doc, i, `passage ${i} of ${doc.title}`, basisVector(DIM, i)));

  it("replaces a version's chunks idempotently and drops chunks that are no longer there", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, rows(doc, 5));
    await store.replaceVersionChunks(doc.versionId, rows(doc, 5));
    expect(await store.countRows({ versionId: doc.versionId })).toBe(5);
    await store.replaceVersionChunks(doc.versionId, rows(doc, 3));
    expect(await store.countRows({ versionId: doc.versionId })).toBe(3);
    await store.replaceVersionChunks(doc.versionId, []);
    expect(await store.countRows()).toBe(0);
  });

  it("deletes by version, by document except one version, by document and by collection, reporting counts", async () => {
    const d1 = docFixture(A);
    const d1v2 = { ...d1, versionId: randomUUID() };
    const d2 = docFixture(A);
    const d3 = docFixture(B);
    for (const [doc, n] of [
      [d1, 2],
      [d1v2, 3],
      [d2, 4],
      [d3, 5],
    ] as const)
      await store.replaceVersionChunks(doc.versionId, rows(doc, n));
    expect(await store.countRows({ collectionId: A })).toBe(9);
    expect(await store.countRows({ documentId: d1.documentId })).toBe(5);
    expect(await store.deleteDocumentVersionsExcept(d1.documentId, d1v2.versionId)).toBe(2);
    expect(await store.deleteVersion(d1v2.versionId)).toBe(3);
    expect(await store.deleteVersion(d1v2.versionId)).toBe(0);
    expect(await store.deleteDocument(d2.documentId)).toBe(4);
    expect(await store.deleteCollection(B)).toBe(5);
    expect(await store.countRows()).toBe(0);
  });

  it("refuses malformed chunks instead of writing them", async () => {
    const doc = docFixture(A);
    const good = chunkRow(doc, 0, "text", basisVector(DIM, 0));
    await expect(
      store.replaceVersionChunks(doc.versionId, [{ ...good, vector: new Float32Array(DIM + 1) }]),
    ).rejects.toThrow(InvalidChunkError);
    await expect(store.replaceVersionChunks(doc.versionId, [{ ...good, id: "other:0" }])).rejects.toThrow(
      InvalidChunkError,
    );
    await expect(store.replaceVersionChunks(doc.versionId, [good, good])).rejects.toThrow(/repeated/);
    await expect(store.replaceVersionChunks(randomUUID(), [good])).rejects.toThrow(/belongs to version/);
    expect(await store.countRows()).toBe(0);
  });
});

describe("search results", () => {
  it("ranks the exact vector first and returns the chunk's fields without its vector", async () => {
    const doc = docFixture(A, [], "Infection control policy");
    const rows = Array.from({ length: DIM }, (_, i) => chunkRow(doc, i, `section ${i}`, basisVector(DIM, i)));
    rows[3] = { ...rows[3]!, pageStart: null, pageEnd: null, piiTypes: ["email"], headingPath: "Policy > Scope" };
    await store.replaceVersionChunks(doc.versionId, rows);
    const [top] = await store.vectorSearch(basisVector(DIM, 3), { access: onlyA, limit: 3 });
    expect(top).toEqual({
      id: `${doc.versionId}:3`,
      text: "section 3",
      collectionId: A,
      documentId: doc.documentId,
      versionId: doc.versionId,
      restrictedTo: [],
      piiTypes: ["email"],
      pageStart: null,
      pageEnd: null,
      ocrConfidence: null,
      headingPath: "Policy > Scope",
      charStart: 300,
      charEnd: 309,
      chunkIndex: 3,
      title: "Infection control policy",
      score: expect.closeTo(1, 5),
    });
  });

  it("finds a rare exact term by BM25, including in rows written after the index was built", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, [
      chunkRow(doc, 0, "General admission procedures for the surgical ward.", basisVector(DIM, 0)),
      chunkRow(doc, 1, "Suspected pheochromocytoma requires plasma metanephrines before surgery.", basisVector(DIM, 1)),
      chunkRow(doc, 2, "Visiting hours are from ten to eight.", basisVector(DIM, 2)),
    ]);
    const hits = await store.textSearch("Pheochromocytoma?", { access: onlyA, limit: 10 });
    expect(hits.map((h) => h.chunkIndex)).toEqual([1]);
    expect(hits[0]!.score).toBeGreaterThan(0);
  });

  it("treats query syntax as plain words and answers stop-word-only questions with []", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, [
      chunkRow(doc, 0, "Heparin: being careful with the dose.", basisVector(DIM, 0)),
    ]);
    expect(await store.textSearch('"heparin" OR (text:dose', { access: onlyA, limit: 5 })).toHaveLength(1);
    expect(await store.textSearch("the of and", { access: onlyA, limit: 5 })).toEqual([]);
    // "being" stems to the stop word "be": LanceDB 0.30 fails on that unless the index keeps stop words.
    expect(await store.textSearch("being", { access: onlyA, limit: 5 })).toHaveLength(1);
    expect(await store.textSearch("?!", { access: onlyA, limit: 5 })).toEqual([]);
  });

  it("returns each BM25 hit's stored vector when asked, and only then", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, [
      chunkRow(doc, 0, "Heparin dose for adults.", basisVector(DIM, 2)),
      chunkRow(doc, 1, "Heparin and renal failure.", basisVector(DIM, 5)),
    ]);
    const withVectors = await store.textSearch("heparin", { access: onlyA, limit: 5, withVectors: true });
    expect(withVectors.map((h) => [h.chunkIndex, Array.from(h.vector)])).toEqual(
      expect.arrayContaining([
        [0, Array.from(basisVector(DIM, 2))],
        [1, Array.from(basisVector(DIM, 5))],
      ]),
    );
    expect(withVectors).toHaveLength(2);
    const plain = await store.textSearch("heparin", { access: onlyA, limit: 5 });
    expect(plain.every((h) => !("vector" in h))).toBe(true);
  });

  it("ranks rows before the first optimize, and finds rows written after it", async () => {
    const doc = docFixture(A);
    const filler = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) =>
        chunkRow(doc, from + i, `routine ward note ${from + i}`, basisVector(DIM, 0)),
      );
    await store.replaceVersionChunks(doc.versionId, [
      ...filler(30, 0),
      chunkRow(doc, 30, "pheochromocytoma pheochromocytoma workup", basisVector(DIM, 1)),
    ]);
    // Unindexed: every match is fetched and ranked, so the best match is first even with limit 1.
    expect((await store.textSearch("note pheochromocytoma", { access: onlyA, limit: 1 }))[0]!.chunkIndex).toBe(30);
    await store.ensureIndexes();
    expect((await store.textSearch("note pheochromocytoma", { access: onlyA, limit: 1 }))[0]!.chunkIndex).toBe(30);
    const later = docFixture(A);
    await store.replaceVersionChunks(later.versionId, [
      chunkRow(later, 0, "pheochromocytoma pheochromocytoma pheochromocytoma", basisVector(DIM, 2)),
    ]);
    // Rows written after the optimize are found at once (scored apart from the indexed ones).
    expect(
      (await store.textSearch("pheochromocytoma", { access: onlyA, limit: 5 })).map((h) => h.documentId),
    ).toContain(later.documentId);
  });

  it("answers searches on an empty store with []", async () => {
    expect(await store.vectorSearch(basisVector(DIM, 0), { access: onlyA, limit: 10 })).toEqual([]);
    expect(await store.textSearch("anything", { access: onlyA, limit: 10 })).toEqual([]);
  });
});

describe("unrestricted rows", () => {
  it("opens a table written before the everyone marker and shows its unrestricted rows, restricted ones still hidden", async () => {
    await store.close();
    const legacyDir = await mkdtemp(path.join(os.tmpdir(), "chunk-store-legacy-"));
    try {
      // Rows as the previous encoding wrote them: [] for "everyone who reads the collection".
      const db = await connectLance(legacyDir);
      const table = await db.createEmptyTable(TABLE_NAME, chunkSchema(EMBEDDER, DIM), { mode: "create" });
      const open = docFixture(A);
      const closed = docFixture(A, [G]);
      await table.add([
        { ...toRecord(chunkRow(open, 0, "legacy open passage", basisVector(DIM, 0))), restricted_to: [] },
        toRecord(chunkRow(closed, 0, "legacy closed passage", basisVector(DIM, 1))),
      ]);
      table.close();
      db.close();
      const legacy = await openChunkStore({ uri: legacyDir, embedderId: EMBEDDER, dim: DIM });
      // The rewritten rows are folded into the full-text index while opening, not left to scan.
      const reopened = await connectLance(legacyDir);
      const check = await reopened.openTable(TABLE_NAME);
      expect(await check.indexStats("text_idx")).toMatchObject({ numUnindexedRows: 0, numIndexedRows: 2 });
      check.close();
      reopened.close();
      const hits = await legacy.textSearch("legacy passage", { access: onlyA, limit: 10 });
      expect(hits.map((h) => [h.documentId, h.restrictedTo])).toEqual([[open.documentId, []]]);
      expect(
        (await legacy.vectorSearch(basisVector(DIM, 1), { access: onlyA, limit: 10 })).map((h) => h.documentId),
      ).toEqual([open.documentId]);
      await legacy.close();
    } finally {
      await rm(legacyDir, { recursive: true, force: true });
      store = await openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: DIM });
    }
  });

  it("refuses the reserved everyone id as a real restriction", async () => {
    const doc = docFixture(A, [EVERYONE_GROUP]);
    await expect(
      store.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, "text", basisVector(DIM, 0))]),
    ).rejects.toThrow(/reserved/);
    const ok = docFixture(A);
    await store.replaceVersionChunks(ok.versionId, [chunkRow(ok, 0, "text", basisVector(DIM, 0))]);
    await expect(store.setDocumentRestriction(ok.documentId, [EVERYONE_GROUP])).rejects.toThrow(/reserved/);
    expect((await store.vectorSearch(basisVector(DIM, 0), { access: onlyA, limit: 1 }))[0]!.restrictedTo).toEqual([]);
  });

  it("answers the access rule from scalar indexes once indexes are maintained", async () => {
    await seedLeakFixture(true);
    const db = await connectLance(dir);
    const table = await db.openTable(TABLE_NAME);
    const kinds = (await table.listIndices()).map((i) => [i.columns.join(","), i.indexType]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ["collection_id", "Bitmap"],
        ["restricted_to", "LabelList"],
      ]),
    );
    table.close();
    db.close();
  });
});

describe("LanceDB runtime", () => {
  it("gives LanceDB's CPU pool at least two threads (with one, its full-text index writer deadlocks)", () => {
    // Set by lance-runtime.ts when the first store connects (beforeEach above).
    expect(Number(process.env.LANCE_CPU_THREADS)).toBeGreaterThanOrEqual(2);
  });
});
