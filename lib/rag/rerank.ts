import type { Reranker } from "@/lib/models/reranker";
import type { FusedHit } from "./types";

// The optional second stage: a cross-encoder reorders the best passages that cleared the floor.
// Only the order changes; which passages may be shown (access, dates, the floor) was decided before.

/** Passages handed to the reranker: a cross-encoder costs a model call per passage. */
export const RERANK_DEPTH = 20;

export async function rerankHits(
  reranker: Reranker,
  question: string,
  hits: FusedHit[],
  limit: number,
): Promise<FusedHit[]> {
  const pool = hits.slice(0, Math.max(limit, RERANK_DEPTH));
  if (pool.length === 0) return [];
  const scores = await reranker.rank(
    question,
    pool.map((h) => `${h.title}\n${h.headingPath}\n${h.text}`),
  );
  if (scores.length !== pool.length || scores.some((s) => !Number.isFinite(s)))
    throw new Error(`The reranker ${reranker.id} returned ${scores.length} scores for ${pool.length} passages.`);
  // Ties keep the fused order: Array.prototype.sort is stable.
  return pool
    .map((hit, i) => ({ hit, score: scores[i]! }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ hit, score }) => ({ ...hit, rerankScore: score }));
}
