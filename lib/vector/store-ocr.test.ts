import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Schema } from "apache-arrow";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { basisVector, chunkRow, docFixture } from "./chunk-fixtures";
import { chunkSchema, TABLE_NAME, toRecord } from "./chunk-schema";
import { connectLance } from "./lance-runtime";
import { InvalidChunkError, openChunkStore, type ChunkStore } from "./store";

// Passages read by OCR carry their recognition confidence through LanceDB; a table from before
// the column existed is given it when opened, its rows reading as not OCR.

const DIM = 8;
const EMBEDDER = "test-embedder@1";
const A = randomUUID();
const onlyA = { collectionIds: [A], groupIds: [] };

let dir: string;
let store: ChunkStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "chunk-store-ocr-"));
  store = await openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: DIM });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("OCR confidence in the chunk table", () => {
  it("returns each passage's OCR confidence from both searches, null for text the file held", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, [
      { ...chunkRow(doc, 0, "scanned consent form wording", basisVector(DIM, 0)), ocrConfidence: 71.5 },
      chunkRow(doc, 1, "typed consent policy wording", basisVector(DIM, 1)),
    ]);
    const byText = await store.textSearch("consent wording", { access: onlyA, limit: 5 });
    expect(Object.fromEntries(byText.map((h) => [h.chunkIndex, h.ocrConfidence]))).toEqual({ 0: 71.5, 1: null });
    const [top] = await store.vectorSearch(basisVector(DIM, 0), { access: onlyA, limit: 1 });
    expect(top).toMatchObject({ chunkIndex: 0, ocrConfidence: 71.5 });
  });

  it("refuses a confidence outside 0–100", async () => {
    const doc = docFixture(A);
    const bad = { ...chunkRow(doc, 0, "text", basisVector(DIM, 0)), ocrConfidence: 140 };
    await expect(store.replaceVersionChunks(doc.versionId, [bad])).rejects.toThrow(InvalidChunkError);
    await expect(store.replaceVersionChunks(doc.versionId, [{ ...bad, ocrConfidence: Number.NaN }])).rejects.toThrow(
      /ocrConfidence must be a number from 0 to 100/,
    );
  });

  it("adds the column to a table written before it existed; old rows read as not OCR", async () => {
    await store.close();
    const legacyDir = await mkdtemp(path.join(os.tmpdir(), "chunk-store-pre-ocr-"));
    try {
      const current = chunkSchema(EMBEDDER, DIM);
      const legacySchema = new Schema(
        current.fields.filter((f) => f.name !== "ocr_confidence"),
        current.metadata,
      );
      expect(legacySchema.fields.map((f) => f.name)).not.toContain("ocr_confidence");
      const db = await connectLance(legacyDir);
      const table = await db.createEmptyTable(TABLE_NAME, legacySchema, { mode: "create" });
      const old = docFixture(A);
      const { ocr_confidence: _dropped, ...record } = toRecord(
        chunkRow(old, 0, "policy from an older release", basisVector(DIM, 0)),
      );
      await table.add([record]);
      table.close();
      db.close();

      store = await openChunkStore({ uri: legacyDir, embedderId: EMBEDDER, dim: DIM });
      const scanned = docFixture(A);
      await store.replaceVersionChunks(scanned.versionId, [
        { ...chunkRow(scanned, 0, "scanned policy from this release", basisVector(DIM, 1)), ocrConfidence: 88 },
      ]);
      const hits = await store.textSearch("policy release", { access: onlyA, limit: 5 });
      expect(Object.fromEntries(hits.map((h) => [h.documentId, h.ocrConfidence]))).toEqual({
        [old.documentId]: null,
        [scanned.documentId]: 88,
      });
      await store.close();
    } finally {
      await rm(legacyDir, { recursive: true, force: true });
      store = await openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: DIM });
    }
  });
});
