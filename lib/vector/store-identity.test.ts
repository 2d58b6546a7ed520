import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { basisVector, chunkRow, docFixture } from "./chunk-fixtures";
import {
  EmbedderMismatchError,
  openChunkStore,
  openChunkStoreForReset,
  type AccessFilter,
  type ChunkStore,
} from "./store";

// The table remembers which embedder (and dimension) wrote it: a store configured with another is
// refused with the reindex instruction, a reset starts over for a new one, and a store that still
// holds the old identity notices a reset by another process on its next write or search.

const DIM = 8;
const EMBEDDER = "test-embedder@1";
const A = randomUUID();
const onlyA: AccessFilter = { collectionIds: [A], groupIds: [] };

let dir: string;
let store: ChunkStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "chunk-store-identity-"));
  store = await openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: DIM });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("embedder identity", () => {
  it("refuses to open a table built by another embedder or dimension, with the reindex instruction", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, "kept", basisVector(DIM, 0))]);
    await store.ensureIndexes();
    await expect(openChunkStore({ uri: dir, embedderId: "gguf:bge.gguf:abcdef012345", dim: 384 })).rejects.toThrow(
      new EmbedderMismatchError(
        { embedderId: EMBEDDER, dim: DIM },
        { embedderId: "gguf:bge.gguf:abcdef012345", dim: 384 },
      ).message,
    );
    await expect(openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: 16 })).rejects.toBeInstanceOf(
      EmbedderMismatchError,
    );
    await expect(openChunkStore({ uri: dir, embedderId: "x", dim: DIM })).rejects.toMatchObject({
      name: "EmbedderMismatchError",
      message: `The vector index was built with embedder ${EMBEDDER} (dim ${DIM}) but the server is configured with x (dim ${DIM}). Run \`npm run cli -- reindex\` to re-embed all documents with x.`,
    });
    const again = await openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: DIM });
    expect(await again.countRows()).toBe(1);
    await again.close();
  });

  it("resets for a new embedder; a store still holding the old identity then refuses to write or search", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, "old vectors", basisVector(DIM, 0))]);
    const maintenance = await openChunkStoreForReset({ uri: dir });
    expect(await maintenance.deleteDocument(randomUUID())).toBe(0);
    await maintenance.reset("new-embedder@2", 4);
    await maintenance.close();
    await expect(store.vectorSearch(basisVector(DIM, 0), { access: onlyA, limit: 5 })).rejects.toBeInstanceOf(
      EmbedderMismatchError,
    );
    await expect(
      store.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, "old", basisVector(DIM, 0))]),
    ).rejects.toBeInstanceOf(EmbedderMismatchError);
    const fresh = await openChunkStore({ uri: dir, embedderId: "new-embedder@2", dim: 4 });
    expect(await fresh.countRows()).toBe(0);
    await fresh.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, "new vectors", basisVector(4, 0))]);
    expect((await fresh.textSearch("vectors", { access: onlyA, limit: 5 })).map((h) => h.text)).toEqual([
      "new vectors",
    ]);
    await fresh.close();
  });
});

describe("identity checks on the search path", () => {
  it("re-checks after a reset by another process, even right after a search verified the table", async () => {
    const doc = docFixture(A);
    await store.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, "heparin dose", basisVector(DIM, 0))]);
    // Repeated searches on an unchanged table reuse the check.
    for (let i = 0; i < 3; i++) expect(await store.textSearch("heparin", { access: onlyA, limit: 5 })).toHaveLength(1);
    expect(await store.vectorSearch(basisVector(DIM, 0), { access: onlyA, limit: 5 })).toHaveLength(1);
    const other = await openChunkStoreForReset({ uri: dir });
    await other.reset("another-embedder@1", DIM);
    await other.close();
    await expect(store.textSearch("heparin", { access: onlyA, limit: 5 })).rejects.toBeInstanceOf(
      EmbedderMismatchError,
    );
    await expect(store.vectorSearch(basisVector(DIM, 0), { access: onlyA, limit: 5 })).rejects.toBeInstanceOf(
      EmbedderMismatchError,
    );
  });
});
