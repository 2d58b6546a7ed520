import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkRow, docFixture, seededUnitVector } from "./chunk-fixtures";
import { openChunkStore, type ChunkStore } from "./store";

// Erasure: once a deletion returns, the removed text is in none of LanceDB's files (data
// fragments, deletion files, indexes, old versions), checked byte by byte.

const DIM = 16;
let dir: string;
let store: ChunkStore;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-erasure-"));
  store = await openChunkStore({ uri: dir, embedderId: "fixture", dim: DIM });
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Files under the table that hold `marker` as bytes (any case, as the full-text index lowercases). */
function filesHolding(marker: string): string[] {
  const needles = [marker, marker.toLowerCase()].map((m) => Buffer.from(m));
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (needles.some((n) => fs.readFileSync(full).includes(n))) out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out;
}

async function indexedDoc(collectionId: string, marker: string) {
  const doc = docFixture(collectionId);
  const rows = [0, 1, 2].map((i) =>
    chunkRow(doc, i, `Passage ${i} of the ${marker} protocol on discharge planning.`, seededUnitVector(DIM, i + 1)),
  );
  await store.replaceVersionChunks(doc.versionId, rows);
  return doc;
}

const search = (collectionId: string, q: string) =>
  store.textSearch(q, { access: { collectionIds: [collectionId], groupIds: [] }, limit: 10 });

describe("erasing removed chunks", () => {
  it("leaves no byte of a deleted document's text under the table, and the rest stays searchable", async () => {
    const collectionId = randomUUID();
    const marker = `Zq${randomUUID().slice(0, 8)}Marker`;
    const gone = await indexedDoc(collectionId, marker);
    const kept = await indexedDoc(collectionId, "retained");
    // Indexed and compacted, as upkeep leaves a table: the marker is in data and index files.
    await store.ensureIndexes();
    expect(filesHolding(marker).length).toBeGreaterThan(0);

    expect(await store.deleteDocument(gone.documentId)).toBe(3);
    // A delete alone only marks rows; the old versions still hold the text.
    expect(filesHolding(marker).length).toBeGreaterThan(0);
    await store.eraseRemoved();
    expect(filesHolding(marker)).toEqual([]);

    expect((await search(collectionId, "retained discharge")).map((h) => h.documentId)).toContain(kept.documentId);
    expect(await search(collectionId, marker)).toEqual([]);
  });

  it("erases the text a re-ingest replaced (a mask recheck), keeping the new text", async () => {
    const collectionId = randomUUID();
    const marker = `Qv${randomUUID().slice(0, 8)}Ssn`;
    const doc = await indexedDoc(collectionId, marker);
    await store.ensureIndexes();
    const masked = [0, 1, 2].map((i) =>
      chunkRow(doc, i, `Passage ${i} of the [SSN] protocol on discharge planning.`, seededUnitVector(DIM, i + 1)),
    );
    await store.replaceVersionChunks(doc.versionId, masked);
    await store.eraseRemoved();
    expect(filesHolding(marker)).toEqual([]);
    expect(await store.countRows({ versionId: doc.versionId })).toBe(3);
  });
});
