import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { getVersionById } from "@/db/queries/documents";
import { addCollection, changeCollectionPolicy, removeCollection } from "@/lib/collections/admin";
import { deleteDocument } from "@/lib/documents/manage";
import { acceptUpload } from "@/lib/documents/upload";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { ingestVersion } from "./pipeline";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// Erasure that holds: once deleting a document or a collection, or a mask re-check, reports done,
// none of the removed text is in DATA_DIR/lance or DATA_DIR/files, scanned byte by byte.

const parser = createTestParser();
let dataDir: string;
let h: DatabaseHandle;
let embedder: Embedder;
let store: ChunkStore;
const noProgress = { progress: async () => undefined };
const deps = () => ({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 50e6, parser });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-erasure-"));
  h = await createTestDatabase();
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
}, 120_000);
afterAll(async () => {
  await parser.close();
  await store?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Files under DATA_DIR/<sub> holding `marker` as bytes, in its own case or lowercased (as indexes store it). */
function filesHolding(sub: "lance" | "files", marker: string): string[] {
  const root = path.join(dataDir, sub);
  if (!fs.existsSync(root)) return [];
  const needles = [marker, marker.toLowerCase()].map((m) => Buffer.from(m));
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (needles.some((n) => fs.readFileSync(full).includes(n))) out.push(path.relative(dataDir, full));
    }
  };
  walk(root);
  return out;
}

const countFiles = () =>
  fs.existsSync(path.join(dataDir, "files"))
    ? fs.readdirSync(path.join(dataDir, "files"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
        .length
    : 0;

async function ingest(collectionId: string, name: string, text: string) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1 << 20 },
    { collectionId, fileName: name, bytes: Buffer.from(text) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  await ingestVersion(deps(), r.versionId, noProgress);
  return r;
}

const marker = () => `Zx${Math.random().toString(36).slice(2, 10)}Qmarker`;
const body = (m: string) =>
  `# Discharge planning\n\nThe ${m} checklist is completed by the ward nurse before every discharge.\n\nA second paragraph about transport home.\n`;

describe("erasure", () => {
  it("deleting a document leaves none of its text in the index files and removes its original", async () => {
    const { id: collectionId } = await addCollection(
      { actor: SYSTEM_ACTOR, db: h.db },
      { name: "Erase doc", description: "" },
    );
    const m = marker();
    const r = await ingest(collectionId, "discharge.md", body(m));
    await store.ensureIndexes();
    // The controls: the index holds the text in readable bytes; the original does not (encrypted).
    expect(filesHolding("lance", m).length).toBeGreaterThan(0);
    expect(filesHolding("files", m)).toEqual([]);
    const filesBefore = countFiles();

    const result = await deleteDocument({ actor: SYSTEM_ACTOR, db: h.db }, store, {
      documentId: r.documentId,
      dataDir,
    });
    expect(result.removedChunks).toBeGreaterThan(0);
    expect(filesHolding("lance", m)).toEqual([]);
    expect(countFiles()).toBe(filesBefore - 1);
  });

  it("deleting a collection leaves none of its documents' text in the index files or originals", async () => {
    const { id: collectionId } = await addCollection(
      { actor: SYSTEM_ACTOR, db: h.db },
      { name: "Erase collection", description: "" },
    );
    const keep = await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Kept", description: "" });
    const m = marker();
    await ingest(collectionId, "a.md", body(m));
    await ingest(collectionId, "b.md", `# Other\n\nThe ${m} appears here as well, in a second document.\n`);
    const kept = await ingest(keep.id, "kept.md", body("retained"));
    await store.ensureIndexes();
    expect(filesHolding("lance", m).length).toBeGreaterThan(0);

    const result = await removeCollection(
      { actor: SYSTEM_ACTOR, db: h.db },
      {
        id: collectionId,
        confirm: "Erase collection",
        dataDir,
        chunks: store,
      },
    );
    expect(result.removedFiles).toBe(2);
    expect(filesHolding("lance", m)).toEqual([]);
    expect(await store.countRows({ documentId: kept.documentId })).toBeGreaterThan(0);
  });

  it("a mask re-check leaves the values it masks nowhere in the index files", async () => {
    const { id: collectionId } = await addCollection(
      { actor: SYSTEM_ACTOR, db: h.db },
      { name: "Recheck", description: "" },
    );
    const ssn = `536-22-${String(1000 + Math.floor(Math.random() * 8999))}`;
    const r = await ingest(
      collectionId,
      "refunds.md",
      `# Refunds\n\nPatient SSN ${ssn} must be verified before the refund of a deposit.\n`,
    );
    await store.ensureIndexes();
    expect(filesHolding("lance", ssn).length).toBeGreaterThan(0);

    await changeCollectionPolicy({ actor: SYSTEM_ACTOR, db: h.db }, collectionId, {
      patch: { pii: "mask" },
      recheck: true,
    });
    await ingestVersion(deps(), r.versionId, noProgress);
    expect((await getVersionById(h.db, { id: r.versionId }))?.text).toContain("Patient SSN [SSN] must be verified");
    expect(filesHolding("lance", ssn)).toEqual([]);
  });
});
