import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, expect, it } from "vitest";
import { chunkRow, docFixture, seededUnitVector } from "./chunk-fixtures";
import { openChunkStore } from "./store";

// A workload of writes, restriction changes and deletions with index upkeep after each step,
// as the ingestion pipeline and document management do. LanceDB 0.30 panics when merging
// full-text index segments after such updates; upkeep must recover and search must stay right.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-index-recovery-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("keeps index upkeep working and searches exact through updates and deletions", async () => {
  const store = await openChunkStore({ uri: dir, embedderId: "fixture", dim: 8 });
  const collectionId = randomUUID();
  const words = ["hand", "hygiene", "gloves", "mask", "sepsis", "insulin", "diet", "policy", "access", "audit"];
  const live = new Map<string, { documentId: string; rows: number; marker: string }>();
  let seed = 1;
  for (let round = 0; round < 40; round++) {
    const op = round % 5;
    if (op <= 1 || live.size === 0) {
      const d = docFixture(collectionId, []);
      const n = 1 + ((round * 7) % 40);
      const marker = `marker${round}x`;
      await store.replaceVersionChunks(
        d.versionId,
        Array.from({ length: n }, (_, i) =>
          chunkRow(d, i, `${words[(i + round) % 10]} ${words[(i * 3) % 10]} ${marker}`, seededUnitVector(8, seed++)),
        ),
      );
      live.set(d.documentId, { documentId: d.documentId, rows: n, marker });
    } else if (op === 2) {
      const [first] = live.values();
      await store.setDocumentRestriction(first!.documentId, [randomUUID()]);
      await store.setDocumentRestriction(first!.documentId, []);
    } else if (op === 3) {
      const [first] = live.values();
      await store.deleteDocument(first!.documentId);
      live.delete(first!.documentId);
    }
    await store.ensureIndexes();
  }
  const expectedRows = [...live.values()].reduce((s, d) => s + d.rows, 0);
  expect(await store.countRows()).toBe(expectedRows);
  for (const d of live.values()) {
    const hits = await store.textSearch(d.marker, {
      access: { collectionIds: [collectionId], groupIds: [] },
      limit: 100,
    });
    expect(hits.length).toBe(d.rows);
    expect(new Set(hits.map((h) => h.documentId))).toEqual(new Set([d.documentId]));
  }
  await store.close();
}, 300_000);
