import { describe, expect, it } from "vitest";
import type { Hit } from "@/lib/vector/store";
import { DEFAULT_FUSION, fuse } from "./fusion";

const V = "00000000-0000-4000-8000-00000000000a";

function hit(id: string, score: number): Hit {
  return {
    id: `${V}:${id}`,
    text: `passage ${id}`,
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
    charEnd: 10,
    chunkIndex: 0,
    title: "t",
    score,
  };
}

const ids = (hits: { id: string }[]) => hits.map((h) => h.id.split(":")[1]);

describe("fusion", () => {
  it("keeps a strong lexical list's order when the vector list is noise", () => {
    // BM25 is sure (a wide gap between the answer and the rest); the vector list has the answer
    // nowhere and its own picks are barely more similar than anything else.
    const text = [hit("answer", 24), hit("related", 15), hit("also", 12), hit("weak", 4)];
    const vector = [
      hit("noise1", 0.31),
      hit("noise2", 0.3),
      hit("noise3", 0.3),
      hit("noise4", 0.29),
      hit("noise5", 0.29),
    ];
    const cosines: Record<string, number> = { answer: 0.22, related: 0.2, also: 0.18, weak: 0.15 };
    const fused = fuse({ vector, text, cosineOf: (h) => cosines[h.id.split(":")[1]!] ?? null });
    expect(ids(fused).slice(0, 3)).toEqual(["answer", "related", "also"]);
    // Equal-weight reciprocal rank fusion would have put noise1 level with the answer.
    expect(fused.find((h) => h.id.endsWith(":noise1"))!.score).toBeLessThan(fused[0]!.score - 0.2);
  });

  it("never ranks a passage found only by the vector list above the best lexical passage", () => {
    const text = [hit("lexical", 3), hit("second", 2.9)];
    // The best possible vector-only hit: the top cosine, with the lexical hits' cosines unknown.
    const vector = [hit("semantic", 0.99)];
    const fused = fuse({ vector, text });
    expect(ids(fused)[0]).toBe("lexical");
    expect(fused.find((h) => h.id.endsWith(":semantic"))!.score).toBeCloseTo(1 - DEFAULT_FUSION.textWeight, 10);
  });

  it("lets the vector list break near-ties among lexical hits", () => {
    const text = [hit("a", 10), hit("b", 9.9)];
    const vector = [hit("b", 0.8), hit("a", 0.2)];
    expect(ids(fuse({ vector, text }))).toEqual(["b", "a"]);
  });

  it("records both ranks and scores for a passage found by both lists, one side for the others", () => {
    const fused = fuse({
      vector: [hit("both", 0.5), hit("vec", 0.4)],
      text: [hit("txt", 7), hit("both", 5)],
      cosineOf: (h) => (h.id.endsWith(":txt") ? 0.1 : null),
    });
    const by = Object.fromEntries(fused.map((h) => [h.id.split(":")[1], h]));
    expect(by.both).toMatchObject({ vectorRank: 1, vectorScore: 0.5, textRank: 2, textScore: 5 });
    expect(by.vec).toMatchObject({ vectorRank: 2, vectorScore: 0.4, textRank: null, textScore: null });
    // Found only by BM25, but its cosine is known from its stored vector.
    expect(by.txt).toMatchObject({ vectorRank: null, vectorScore: 0.1, textRank: 1, textScore: 7 });
    expect(fused).toHaveLength(3);
  });

  it("breaks exact ties by the better rank in either list, then by id, so the order is stable", () => {
    // Three lexical hits with the same BM25 and no known cosine: the same fused score.
    const fused = fuse({ vector: [], text: [hit("z", 5), hit("y", 5), hit("x", 5)] });
    expect(fused.map((h) => h.score)).toEqual([0.6, 0.6, 0.6]);
    expect(ids(fused)).toEqual(["z", "y", "x"]);
    const noRanks = fuse({ vector: [hit("q", 0.5)], text: [hit("p", 5)] }, { textWeight: 0.5 });
    expect(noRanks.map((h) => h.score)).toEqual([0.5, 0.5]);
    expect(ids(noRanks)).toEqual(["p", "q"]);
  });

  it("ranks by one list alone when the other is empty, and answers [] for nothing", () => {
    expect(ids(fuse({ vector: [hit("a", 0.3), hit("b", 0.6)], text: [] }))).toEqual(["b", "a"]);
    expect(ids(fuse({ vector: [], text: [hit("a", 1), hit("b", 2)] }))).toEqual(["b", "a"]);
    expect(fuse({ vector: [], text: [] })).toEqual([]);
  });

  it("gives no credit for negative or zero scores and survives an all-zero list", () => {
    const fused = fuse({ vector: [hit("neg", -0.2)], text: [hit("zero", 0)] });
    expect(fused.map((h) => h.score)).toEqual([0, 0]);
  });

  it("refuses a weight outside 0..1", () => {
    expect(() => fuse({ vector: [], text: [] }, { textWeight: 1.5 })).toThrow(/between 0 and 1/);
    expect(() => fuse({ vector: [], text: [] }, { textWeight: Number.NaN })).toThrow(/between 0 and 1/);
  });
});
