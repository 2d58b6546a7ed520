import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect } from "@lancedb/lancedb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessPredicate } from "./access-filter";
import { chunkRow, docFixture, seededUnitVector, type DocFixture } from "./chunk-fixtures";
import { openChunkStore, type AccessFilter, type ChunkStore } from "./store";

// The same access guarantees once a vector index exists (threshold lowered for the test; HNSW
// graphs and SQ need a few hundred rows to train on).
const DIM = 32;
const A = randomUUID();
const B = randomUUID();
const G = randomUUID();
const onlyA: AccessFilter = { collectionIds: [A], groupIds: [] };
const inG: AccessFilter = { collectionIds: [A], groupIds: [G] };

let dir: string;
let store: ChunkStore;
let seed = 0;
const docs: { doc: DocFixture; marker: string; vectors: Float32Array[] }[] = [];

async function addDoc(collectionId: string, restrictedTo: string[], marker: string, chunks: number) {
  const doc = docFixture(collectionId, restrictedTo);
  const vectors = Array.from({ length: chunks }, () => seededUnitVector(DIM, ++seed));
  await store.replaceVersionChunks(
    doc.versionId,
    vectors.map((v, i) => chunkRow(doc, i, `${marker} passage ${i} about topic ${seed + i}`, v)),
  );
  docs.push({ doc, marker, vectors });
  return docs.at(-1)!;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "chunk-index-"));
  store = await openChunkStore({ uri: dir, embedderId: "test-embedder@1", dim: DIM, vectorIndexThreshold: 256 });
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("vector index", () => {
  it("is not built below the threshold, where brute force is exact", async () => {
    for (let i = 0; i < 3; i++) await addDoc(A, [], "publicmarker", 30);
    expect(await store.ensureIndexes()).toEqual({ rows: 90, vectorIndex: false, optimized: true });
  });

  it("is built once the table reaches the threshold, and the filtered query uses it", async () => {
    for (let i = 0; i < 3; i++) await addDoc(A, [], "publicmarker", 30);
    for (let i = 0; i < 2; i++) await addDoc(A, [G], "secretmarker", 30);
    for (let i = 0; i < 2; i++) await addDoc(B, [], "othermarker", 30);
    expect(await store.ensureIndexes()).toEqual({ rows: 300, vectorIndex: true, optimized: true });

    const db = await connect(dir);
    const table = await db.openTable("chunks");
    const plan = await table
      .vectorSearch(seededUnitVector(DIM, 1))
      .distanceType("cosine")
      .where(accessPredicate(onlyA)!)
      .limit(10)
      .explainPlan();
    expect(plan).toMatch(/ANN/);
    table.close();
    db.close();
  });

  it("still never returns forbidden rows, even for their exact vectors and a large limit", async () => {
    const forbidden = docs.filter((d) => d.marker !== "publicmarker");
    const forbiddenIds = new Set(forbidden.map((d) => d.doc.documentId));
    for (const { vectors } of forbidden) {
      const hits = await store.vectorSearch(vectors[0]!, { access: onlyA, limit: 100 });
      // 180 rows are readable: the prefilter still fills the limit from them.
      expect(hits).toHaveLength(100);
      expect(hits.filter((h) => forbiddenIds.has(h.documentId))).toEqual([]);
    }
    expect(await store.textSearch("secretmarker othermarker", { access: onlyA, limit: 100 })).toEqual([]);
  });

  it("ranks a readable row's exact vector first and lets group members find restricted rows", async () => {
    const pub = docs.find((d) => d.marker === "publicmarker")!;
    const [top] = await store.vectorSearch(pub.vectors[7]!, { access: onlyA, limit: 5 });
    expect(top).toMatchObject({ documentId: pub.doc.documentId, chunkIndex: 7 });
    expect(top!.score).toBeCloseTo(1, 2);
    const secret = docs.find((d) => d.marker === "secretmarker")!;
    expect((await store.vectorSearch(secret.vectors[3]!, { access: inG, limit: 5 }))[0]).toMatchObject({
      documentId: secret.doc.documentId,
      chunkIndex: 3,
    });
    expect(await store.textSearch("secretmarker", { access: inG, limit: 100 })).toHaveLength(60);
  });

  it("searches rows written after the index was built, with the filter applied", async () => {
    const late = await addDoc(A, [], "latemarker", 2);
    const lateSecret = await addDoc(A, [G], "latesecret", 2);
    const [top] = await store.vectorSearch(late.vectors[1]!, { access: onlyA, limit: 3 });
    expect(top).toMatchObject({ documentId: late.doc.documentId, chunkIndex: 1 });
    const hits = await store.vectorSearch(lateSecret.vectors[0]!, { access: onlyA, limit: 100 });
    expect(hits.some((h) => h.documentId === lateSecret.doc.documentId)).toBe(false);
    expect(await store.ensureIndexes()).toMatchObject({ rows: 304, vectorIndex: true });
  });
});
