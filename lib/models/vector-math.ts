// Small vector helpers shared by the embedders. Every vector that leaves an embedder is unit
// length, so cosine similarity, dot product and L2 distance all rank the same way.

/** Returns a unit-length copy; an all-zero vector stays zero (it has no direction to keep). */
export function l2Normalize(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i]! * out[i]!;
  const norm = Math.sqrt(sum);
  if (norm === 0 || !Number.isFinite(norm)) return out.fill(0);
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** Component-wise mean of equally sized vectors. */
export function meanVector(vectors: ArrayLike<number>[], dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) out[i]! += v[i]!;
  if (vectors.length > 0) for (let i = 0; i < dim; i++) out[i]! /= vectors.length;
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
