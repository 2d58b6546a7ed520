import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chunkRow, docFixture, seededUnitVector, type DocFixture } from "./chunk-fixtures";
import { openChunkStore, type ChunkStore } from "./store";

// Server, CLI and workers may each open the chunk table: concurrent writers must not lose rows.
const DIM = 8;
const EMBEDDER = "test-embedder@1";
const A = randomUUID();
const G = randomUUID();
const root = path.resolve(__dirname, "../..");

let dir: string;
let stores: ChunkStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "chunk-concurrency-"));
  stores = [];
});

afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<ChunkStore> {
  const store = await openChunkStore({ uri: dir, embedderId: EMBEDDER, dim: DIM });
  stores.push(store);
  return store;
}

const rows = (doc: DocFixture, n: number) =>
  Array.from({ length: n }, (_, i) => chunkRow(doc, i, `text ${i}`, seededUnitVector(DIM, i + 1)));

describe("concurrent writers", () => {
  it("two stores on one directory writing, deleting, restricting and optimizing at once lose nothing", async () => {
    const [s1, s2] = await Promise.all([open(), open()]);
    const docs1 = Array.from({ length: 8 }, () => docFixture(A));
    const docs2 = Array.from({ length: 8 }, () => docFixture(A));
    await Promise.all([
      ...docs1.map((d) => s1.replaceVersionChunks(d.versionId, rows(d, 5))),
      ...docs2.map((d) => s2.replaceVersionChunks(d.versionId, rows(d, 5))),
    ]);
    expect(await s1.countRows()).toBe(80);

    await Promise.all([
      ...docs1.map((d) => s1.replaceVersionChunks(d.versionId, rows(d, 3))),
      ...docs2.slice(0, 4).map((d) => s2.deleteDocument(d.documentId)),
      s1.setDocumentRestriction(docs2[6]!.documentId, [G]),
      s2.ensureIndexes(),
      s1.ensureIndexes(),
    ]);
    expect(await s2.countRows()).toBe(8 * 3 + 4 * 5);
    for (const d of docs1) expect(await s2.countRows({ documentId: d.documentId })).toBe(3);
    const visible = await s2.vectorSearch(seededUnitVector(DIM, 1), {
      access: { collectionIds: [A], groupIds: [] },
      limit: 100,
    });
    expect(visible).toHaveLength(8 * 3 + 3 * 5);
    expect(visible.some((h) => h.documentId === docs2[6]!.documentId)).toBe(false);
  });

  it("a second process writing alongside this one loses nothing", async () => {
    const store = await open();
    // .mts: the temp folder has no package.json saying "type": "module", and the script awaits at top level.
    const script = path.join(dir, "writer.mts");
    await writeFile(
      script,
      `import { openChunkStore } from ${JSON.stringify(path.join(__dirname, "store.ts"))};
import { chunkRow, docFixture, seededUnitVector } from ${JSON.stringify(path.join(__dirname, "chunk-fixtures.ts"))};
const store = await openChunkStore({ uri: ${JSON.stringify(dir)}, embedderId: ${JSON.stringify(EMBEDDER)}, dim: ${DIM} });
for (let k = 0; k < 10; k++) {
  const doc = docFixture(${JSON.stringify(A)});
  await store.replaceVersionChunks(doc.versionId, [0, 1, 2, 3].map((i) => chunkRow(doc, i, "child " + i, seededUnitVector(${DIM}, i + 1))));
}
await store.close();
`,
    );
    // The CLI's own way of running TypeScript server modules (see package.json "cli").
    const child = promisify(execFile)(process.execPath, ["--conditions=react-server", "--import", "tsx", script], {
      cwd: root,
    }).then(
      () => null,
      (err: unknown) => err,
    );
    // Keep writing for as long as the child runs, so the two really overlap.
    let childRunning = true;
    void child.then(() => (childRunning = false));
    let written = 0;
    while (childRunning || written < 10) {
      const d = docFixture(A);
      await store.replaceVersionChunks(d.versionId, rows(d, 3));
      written++;
    }
    const failure = await child;
    if (failure) throw failure;
    expect(await store.countRows()).toBe(10 * 4 + written * 3);
  });
});
