import { dot } from "@/lib/models/vector-math";
import type { Hit, HitWithVector } from "@/lib/vector/store";
import { fuse, type FusedCandidate, type FusionParams } from "./fusion";
import { canClearFloor, clearsFloor, type FloorParams } from "./relevance";
import { contentTerms, coverageIn } from "./terms";
import type { FusedHit } from "./types";

// From the two searches' raw lists to the passages a question gets: fusion, term coverage,
// deduplication of overlapping passages, the relevance floor, the limit. No I/O, so benchmarks
// can search once and rank many ways.

export type RetrievalMode = "hybrid" | "text" | "vector";

export interface RankInput {
  question: string;
  queryVector: Float32Array;
  /** Vector search hits, best first (`score` = cosine). */
  vector: Hit[];
  /** BM25 hits, best first, with their stored vectors. */
  text: HitWithVector[];
  limit: number;
  mode: RetrievalMode;
  floor: FloorParams | null;
  fusion: FusionParams;
}

export interface Ranked {
  hits: FusedHit[];
  candidates: number;
  /** Candidates ranked above the last passage returned that the floor removed (all of them when none cleared). */
  belowFloor: number;
}

/** Two passages of one version sharing more than this share of the shorter one are one passage. */
const MAX_OVERLAP = 0.5;

export function rankPassages(input: RankInput): Ranked {
  const { queryVector } = input;
  const cosine = new Map<string, number>();
  for (const hit of input.text)
    if (hit.vector.length === queryVector.length) cosine.set(hit.id, dot(queryVector, hit.vector));
  const fused = fuse(
    {
      vector: input.mode === "text" ? [] : input.vector,
      text: input.mode === "vector" ? [] : input.text.map(withoutVector),
      cosineOf: (hit) => cosine.get(hit.id) ?? null,
    },
    // One list alone is ranked by its own score.
    input.mode === "text" ? { textWeight: 1 } : input.mode === "vector" ? { textWeight: 0 } : input.fusion,
  );
  const wanted = contentTerms(input.question);
  const coverageOf = (c: FusedCandidate) => coverageIn(wanted, `${c.title}\n${c.headingPath}\n${c.text}`);
  const kept: FusedCandidate[] = [];
  const hits: FusedHit[] = [];
  let belowFloor = 0;
  for (const candidate of fused) {
    // Candidates below the last passage returned are not examined: term analysis is the costly
    // part of ranking, done only for passages returned and where it can decide the floor.
    if (hits.length === input.limit) break;
    if (kept.some((k) => overlapsHeavily(k, candidate))) continue;
    kept.push(candidate);
    let coverage: number | null = null;
    if (input.floor) {
      if (canClearFloor(candidate.vectorScore, input.floor)) coverage = coverageOf(candidate);
      if (
        coverage === null ||
        !clearsFloor({ vectorScore: candidate.vectorScore, termCoverage: coverage }, input.floor)
      ) {
        belowFloor++;
        continue;
      }
    }
    hits.push({ ...candidate, termCoverage: coverage ?? coverageOf(candidate) });
  }
  return { hits, candidates: fused.length, belowFloor };
}

function withoutVector(hit: HitWithVector): Hit {
  const { vector: _vector, ...rest } = hit;
  return rest;
}

/**
 * The chunker overlaps the pieces of a block too long for one chunk, and a short last piece can
 * be mostly overlap; showing the model both wastes its context on the same words. The better
 * ranked of the two is kept.
 */
function overlapsHeavily(a: Hit, b: Hit): boolean {
  if (a.versionId !== b.versionId) return false;
  const overlap = Math.min(a.charEnd, b.charEnd) - Math.max(a.charStart, b.charStart);
  const shorter = Math.min(a.charEnd - a.charStart, b.charEnd - b.charStart);
  return overlap > 0 && shorter > 0 && overlap / shorter > MAX_OVERLAP;
}
