// Ranking metrics as BEIR computes them, over graded relevance (0 = not relevant). Shared by the
// per-collection evaluation and the retrieval benchmarks, so both report the same numbers.

export function ndcgAt(ranked: string[], relevant: Map<string, number>, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((d, i) => {
    const grade = relevant.get(d) ?? 0;
    if (grade > 0) dcg += (2 ** grade - 1) / Math.log2(i + 2);
  });
  const ideal = [...relevant.values()].sort((a, b) => b - a).slice(0, k);
  const idcg = ideal.reduce((s, grade, i) => s + (2 ** grade - 1) / Math.log2(i + 2), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

export function recallAt(ranked: string[], relevant: Map<string, number>, k: number): number {
  if (relevant.size === 0) return 0;
  return ranked.slice(0, k).filter((d) => relevant.has(d)).length / relevant.size;
}

export function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}
