// Ranking metrics as BEIR computes them, over documents: a document's score is its best passage's.
import type { Hit } from "@/lib/vector/store";

// The product's evaluation (lib/evaluation) scores with the same functions.
export { mean, ndcgAt, recallAt } from "@/lib/evaluation/metrics";

/** Document keys in order of their best passage. */
export function rankDocuments(hits: Hit[], keyOf: Map<string, string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const h of hits) {
    const key = keyOf.get(h.documentId);
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push(key);
  }
  return out;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
