import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkRow, docFixture, seededUnitVector } from "./chunk-fixtures";
import { toMatchText } from "./fts-query";
import { openChunkStore, type ChunkStore } from "./store";

// Question phrasing must not outrank the question's subject: a passage that happens to say
// "clarify" and "please" is not what a question about workstations finds, whether the rows are in
// the full-text index yet or not.
const DIM = 8;
const C = randomUUID();
const access = { collectionIds: [C], groupIds: [] };
const QUESTION = "Can you clarify the workstation requirements, please?";

let dir: string;
let store: ChunkStore;
let seed = 0;

async function add(text: string): Promise<string> {
  const doc = docFixture(C);
  await store.replaceVersionChunks(doc.versionId, [chunkRow(doc, 0, text, seededUnitVector(DIM, ++seed))]);
  return doc.documentId;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "chunk-terms-"));
  store = await openChunkStore({ uri: dir, embedderId: "test-embedder@1", dim: DIM });
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("question scaffolding in BM25", () => {
  it("splits content words from phrasing", () => {
    expect(toMatchText(QUESTION)).toBe("workstation requirements");
    expect(toMatchText("I would like to know: can you explain AC-2(3)?")).toBe("ac 2 3");
    expect(toMatchText("Could you help?")).toBe("could you help");
  });

  let subject = "";
  let phrasing = "";
  it("finds the subject and not a passage that matches only the phrasing, before indexing", async () => {
    phrasing = await add("Staff may clarify these with the office on request; please ask.");
    subject = await add("Workstation screens must turn off after fifteen minutes without input.");
    for (let i = 0; i < 6; i++) await add(`Filler passage ${i} on parking, catering and visitor badges.`);
    const hits = await store.textSearch(QUESTION, { access, limit: 5 });
    expect(hits.map((h) => h.documentId)).toEqual([subject]);
  });

  it("does the same once the rows are in the full-text index", async () => {
    await store.ensureIndexes();
    const hits = await store.textSearch(QUESTION, { access, limit: 5 });
    expect(hits.map((h) => h.documentId)).toEqual([subject]);
  });

  it("searches a question made only of phrasing as it is", async () => {
    const hits = await store.textSearch("Could you clarify?", { access, limit: 5 });
    expect(hits.map((h) => h.documentId)).toEqual([phrasing]);
  });
});
