import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkDocument } from "@/ingest/chunk/chunker";
import { parseDocument } from "@/ingest/parse";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { chunkRow, docFixture } from "@/lib/vector/chunk-fixtures";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { USE_LITE_ID } from "@/lib/models/use-lite-embedder";
import { canClearFloor, clearsFloor, DEFAULT_FLOOR, floorFor, LEXICAL_FLOOR } from "./relevance";
import { searchPassages } from "./retrieve";

// The relevance floor over real regulatory text (HIPAA and NIST SP 800-63B from ../shared/data),
// parsed, chunked and embedded as ingestion does: questions the documents answer get the right
// passage first; everyday questions get nothing, so the answer can say the documents do not cover them.

const REGDOCS = path.resolve(process.cwd(), "../shared/data/regdocs");
const FILES = [
  "hipaa-cfr-45-160-164-md/164-316-policies-procedures-documentation.md",
  "hipaa-cfr-45-160-164-md/164-404-notification-individuals.md",
  "hipaa-cfr-45-160-164-md/164-530-administrative-requirements.md",
  "nist-sp800-63-3-md/sp800-63b__sec5_authenticators.md",
];
const COLLECTION = "6f1d3c2a-8f7e-4d4b-9a51-3c0f2b7d9e10";

let dir: string;
let embedder: Embedder;
let store: ChunkStore;
const documentOf = new Map<string, string>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-floor-"));
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: dir, embedderId: embedder.id, dim: embedder.dim });
  for (const file of FILES) {
    const parsed = await parseDocument(fs.readFileSync(path.join(REGDOCS, file)), { filename: path.basename(file) });
    const chunks = chunkDocument(parsed, { maxTokens: embedder.maxTokens });
    const vectors = await embedder.embed(chunks.map((c) => c.text));
    const doc = docFixture(COLLECTION, [], parsed.title ?? file);
    documentOf.set(doc.documentId, file);
    await store.replaceVersionChunks(
      doc.versionId,
      chunks.map((c, i) => ({
        ...chunkRow(doc, c.index, c.text, vectors[i]!),
        headingPath: c.headingPath.join(" > "),
        charStart: c.charStart,
        charEnd: c.charEnd,
      })),
    );
  }
  await store.ensureIndexes();
}, 180_000);

afterAll(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ask = (question: string) =>
  searchPassages({ store, embedder, access: { collectionIds: [COLLECTION], groupIds: [] }, question });

describe("relevance floor over real regulations", () => {
  it("returns nothing for questions the documents do not cover", async () => {
    for (const question of [
      "what is the cafeteria menu on friday",
      "who won the 1998 world cup",
      "how do I make sourdough bread at home",
    ]) {
      const r = await ask(question);
      expect(r.hits, question).toEqual([]);
      // Not for want of candidates: BM25 and the vector search did return passages.
      expect(r.candidates, question).toBeGreaterThan(0);
      expect(r.belowFloor, question).toBeGreaterThan(0);
    }
  });

  it("puts the passage that answers an on-topic question first", async () => {
    // Both the Privacy Rule (164.530) and the Security Rule (164.316) set the same retention period.
    const retention = await ask("For how many years must a covered entity retain the documentation?");
    expect([FILES[2], FILES[0]]).toContain(documentOf.get(retention.hits[0]!.documentId));
    expect(retention.hits[0]!.text).toMatch(/(6|six) years from the date of its creation/);

    const secrets = await ask("What is the minimum length of a memorized secret chosen by the subscriber?");
    expect(documentOf.get(secrets.hits[0]!.documentId)).toBe(FILES[3]);
    expect(secrets.hits[0]!.text).toContain("at least 8 characters in length if chosen by the subscriber");

    const breach = await ask("What is the deadline for notifying individuals after discovery of a breach?");
    expect(documentOf.get(breach.hits[0]!.documentId)).toBe(FILES[1]);
    expect(breach.hits[0]!.text).toContain("60 calendar days after discovery of a breach");
  });
});

describe("clearsFloor", () => {
  const { minCosine, minCoverage, minCosineWithTerms } = DEFAULT_FLOOR;

  it("accepts a close passage, or one covering the question's terms that the embedder does not contradict", () => {
    expect(clearsFloor({ vectorScore: minCosine, termCoverage: 0.1 })).toBe(true);
    expect(clearsFloor({ vectorScore: minCosineWithTerms, termCoverage: minCoverage })).toBe(true);
    expect(clearsFloor({ vectorScore: minCosineWithTerms - 0.01, termCoverage: 1 })).toBe(false);
    expect(clearsFloor({ vectorScore: minCosine - 0.01, termCoverage: minCoverage - 0.01 })).toBe(false);
  });

  it("never passes a passage that shares no term with the question, however close the embedder finds it", () => {
    // USE-lite puts unknown strings such as codes close to unrelated passages.
    expect(clearsFloor({ vectorScore: 0.9, termCoverage: 0 })).toBe(false);
  });

  it("never passes a passage on terms alone when its cosine is unknown", () => {
    expect(clearsFloor({ vectorScore: null, termCoverage: 1 })).toBe(false);
  });

  it("skips term analysis only where the cosine alone already fails", () => {
    const low = Math.min(minCosine, minCosineWithTerms);
    expect(canClearFloor(low - 0.001)).toBe(false);
    expect(canClearFloor(null)).toBe(false);
    expect(canClearFloor(low)).toBe(true);
    for (const termCoverage of [0, 0.5, 1]) expect(clearsFloor({ vectorScore: low - 0.001, termCoverage })).toBe(false);
  });

  it("uses measured thresholds only for the embedder they were measured on, terms alone for others", () => {
    expect(floorFor(USE_LITE_ID)).toEqual(DEFAULT_FLOOR);
    expect(floorFor("gguf:bge-small.gguf:0123456789ab")).toEqual(LEXICAL_FLOOR);
    expect(clearsFloor({ vectorScore: 0.95, termCoverage: 0.4 }, LEXICAL_FLOOR)).toBe(false);
    expect(clearsFloor({ vectorScore: 0.05, termCoverage: 0.5 }, LEXICAL_FLOOR)).toBe(true);
  });
});
