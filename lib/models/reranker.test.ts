import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadGgufReranker, RerankerLoadError, type Reranker } from "./reranker";
import { rerankHits } from "@/lib/rag/rerank";
import type { FusedHit } from "@/lib/rag/types";

// No GGUF cross-encoder is available on these machines, so the model path is checked on its
// refusals: a chat model (the fixture) and a missing file are both refused with the reason,
// never used to rank by noise. The reordering itself runs with a word-overlap scorer below.
const FIXTURE = path.resolve(__dirname, "../../../shared/models/stories260K.gguf");
const V = "00000000-0000-4000-8000-00000000000a";

function hit(id: string, text: string, score: number): FusedHit {
  return {
    id: `${V}:${id}`,
    text,
    collectionId: V,
    documentId: V,
    versionId: V,
    restrictedTo: [],
    piiTypes: [],
    pageStart: null,
    pageEnd: null,
    ocrConfidence: null,
    headingPath: "",
    charStart: 0,
    charEnd: text.length,
    chunkIndex: 0,
    title: "t",
    score,
    vectorRank: null,
    vectorScore: null,
    textRank: null,
    textScore: null,
    termCoverage: 1,
  };
}

/** Scores a passage by the share of the question's words it contains. */
const overlap: Reranker = {
  id: "overlap",
  async rank(question, passages) {
    const words = new Set(question.toLowerCase().split(/\W+/).filter(Boolean));
    return passages.map((p) => {
      const have = new Set(p.toLowerCase().split(/\W+/));
      return [...words].filter((w) => have.has(w)).length / words.size;
    });
  },
  async close() {},
};

describe("GGUF reranker", () => {
  it("refuses a model without a ranking head, naming the file and what is needed", async () => {
    const err = await loadGgufReranker({ modelPath: FIXTURE, threads: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RerankerLoadError);
    expect((err as Error).message).toMatch(/stories260K\.gguf is not a reranking model/);
    expect((err as Error).message).toMatch(/RERANKER_MODEL_PATH needs a cross-encoder/);
  });

  it("refuses a missing file by its path", async () => {
    await expect(loadGgufReranker({ modelPath: "/nonexistent/reranker.gguf" })).rejects.toThrow(
      /\/nonexistent\/reranker\.gguf/,
    );
  });
});

describe("rerankHits", () => {
  const hits = [
    hit("a", "visitor parking rules", 0.9),
    hit("b", "workstation screens lock after fifteen minutes", 0.8),
    hit("c", "workstation inventory", 0.7),
  ];

  it("reorders the kept passages by the model's score and cuts to the limit", async () => {
    const out = await rerankHits(overlap, "when do workstation screens lock", hits, 2);
    expect(out.map((h) => h.id.split(":")[1])).toEqual(["b", "c"]);
    expect(out[0]!.rerankScore).toBeCloseTo(3 / 5, 10);
  });

  it("never adds a passage retrieval did not keep", async () => {
    const out = await rerankHits(overlap, "parking", hits.slice(1), 3);
    expect(out.map((h) => h.id.split(":")[1])).toEqual(["b", "c"]);
  });

  it("fails clearly when the model returns the wrong number of scores", async () => {
    const broken: Reranker = { ...overlap, id: "broken", rank: async () => [0.5] };
    await expect(rerankHits(broken, "q", hits, 3)).rejects.toThrow(/broken returned 1 scores for 3 passages/);
  });
});
