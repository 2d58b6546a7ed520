import type { Hit } from "@/lib/vector/store";
import type { RankSignals } from "./types";

// Fusion of the vector list and the BM25 list into one ranking: a convex combination of the two
// scores, each divided by the best score of its list for this question (docs/adr/0009).
//
//   fused = textWeight · bm25 / best bm25  +  (1 − textWeight) · cosine / best cosine
//
// Why not reciprocal rank fusion: RRF gives rank 1 of a weak list as much credit as rank 1 of a
// strong one. With the default embedder the vector list is weak (SciFact nDCG@10 0.27 against
// BM25's 0.69 on the train split), and equal-weight RRF fell to 0.54; scores, unlike ranks, say
// how sure each list is. Why the cosine of every candidate: BM25 hits come back with their stored
// vectors, so a lexical hit the vector list missed is scored by its real cosine rather than
// counted as zero, and the weight can move over a wide range with little effect (train nDCG@10
// 0.700–0.703 for weights 0.5–0.8), which makes it safe on collections unlike SciFact.
// The guarantee that matters: a passage found only by the vector list scores at most
// 1 − textWeight, below the best lexical passage (at least textWeight) whenever textWeight ≥ 0.5,
// so a weak vector list can reorder the lexical results but never push the best of them down.

export interface FusionParams {
  /** Share of the lexical (BM25) signal, 0..1; the cosine gets the rest. */
  textWeight: number;
}

/** Tuned on the SciFact train queries only (bench/retrieval.ts --tune); see docs/adr/0009. */
export const DEFAULT_FUSION: FusionParams = { textWeight: 0.6 };

export interface FusionLists {
  /** Best first, `score` = cosine similarity. */
  vector: Hit[];
  /** Best first, `score` = BM25. */
  text: Hit[];
  /**
   * The cosine of a lexical hit the vector list did not return (from its stored vector), or null
   * when unknown; an unknown cosine counts as 0.
   */
  cosineOf?: (hit: Hit) => number | null;
}

export type FusedCandidate = Hit & RankSignals;

export function fuse(lists: FusionLists, params: FusionParams = DEFAULT_FUSION): FusedCandidate[] {
  const w = params.textWeight;
  if (!(w >= 0 && w <= 1)) throw new Error(`textWeight must be between 0 and 1, got ${w}.`);
  const byId = new Map<string, FusedCandidate>();
  lists.vector.forEach((hit, i) => {
    byId.set(hit.id, { ...hit, vectorRank: i + 1, vectorScore: hit.score, textRank: null, textScore: null });
  });
  lists.text.forEach((hit, i) => {
    const seen = byId.get(hit.id);
    if (seen) {
      seen.textRank = i + 1;
      seen.textScore = hit.score;
    } else {
      byId.set(hit.id, {
        ...hit,
        vectorRank: null,
        vectorScore: lists.cosineOf?.(hit) ?? null,
        textRank: i + 1,
        textScore: hit.score,
      });
    }
  });
  const candidates = [...byId.values()];
  // Scores at or below zero carry no evidence: a negative cosine is not "less relevant than
  // unrelated", and BM25 is never negative.
  const bestText = Math.max(0, ...candidates.map((c) => c.textScore ?? 0));
  const bestCosine = Math.max(0, ...candidates.map((c) => c.vectorScore ?? 0));
  for (const c of candidates) {
    const lexical = bestText > 0 ? Math.max(0, c.textScore ?? 0) / bestText : 0;
    const semantic = bestCosine > 0 ? Math.max(0, c.vectorScore ?? 0) / bestCosine : 0;
    c.score = w * lexical + (1 - w) * semantic;
  }
  return candidates.sort(byFusedScore);
}

/** Best first; ties go to the better rank in either list, then to the chunk id (stable output). */
function byFusedScore(a: FusedCandidate, b: FusedCandidate): number {
  if (b.score !== a.score) return b.score - a.score;
  const rank = (c: FusedCandidate) => Math.min(c.vectorRank ?? Infinity, c.textRank ?? Infinity);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
