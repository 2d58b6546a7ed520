import { USE_LITE_ID } from "@/lib/models/use-lite-embedder";

// The relevance floor: whether a passage has enough absolute evidence of answering the question
// to be shown to the model at all. When no passage clears it, the caller answers that the user's
// documents do not cover the question. Only absolute signals are used, never ranks: the best of
// a set of unrelated passages is still unrelated.
//   - cosine: similarity of the passage's vector to the question's (the embedder's view);
//   - term coverage: the share of the question's content terms (stemmed, stop words and question
//     scaffolding removed; lib/rag/terms.ts) found in the passage, its title or its headings.
// A passage clears the floor when it shares at least one content term with the question and
// either the embedder finds it close in meaning, or it covers a good share of the question's terms
// and the embedder does not contradict that. Neither signal is enough alone at its weak end:
//   - a question with two content terms has a coverage of 0.5 in any passage that shares one common
//     word with it ("what is the capital of australia" over abstracts on Australian cohorts);
//   - USE-lite gives unrelated English texts cosines up to ~0.4, and strings it does not know
//     (codes such as "CRIMSON-5520") cosines above 0.5 with passages that do not contain them at all.
// Thresholds are chosen on SciFact's train queries and a written set of off-topic questions
// (npm run bench:retrieval -- --tune; docs/adr/0009).

export interface FloorParams {
  /** A passage sharing a term with the question and at least this similar to it clears the floor. */
  minCosine: number;
  /** Otherwise it needs at least this share of the question's content terms... */
  minCoverage: number;
  /** ...and at least this cosine. */
  minCosineWithTerms: number;
}

/** For the default embedder (USE-lite 0.2.0), whose cosines the thresholds were measured on. */
export const DEFAULT_FLOOR: FloorParams = { minCosine: 0.4, minCoverage: 0.4, minCosineWithTerms: 0.35 };

/**
 * For any other embedder: cosine scales differ between models (many put unrelated texts above
 * 0.5), so until thresholds are measured for it (the tuning benchmark takes --embedding-model),
 * only lexical evidence counts: half of the question's content terms.
 */
export const LEXICAL_FLOOR: FloorParams = {
  minCosine: Number.POSITIVE_INFINITY,
  minCoverage: 0.5,
  minCosineWithTerms: -1,
};

const MEASURED: Record<string, FloorParams> = { [USE_LITE_ID]: DEFAULT_FLOOR };

export function floorFor(embedderId: string): FloorParams {
  return MEASURED[embedderId] ?? LEXICAL_FLOOR;
}

export interface FloorSignals {
  /** null when unknown: then the passage cannot clear the floor. */
  vectorScore: number | null;
  termCoverage: number;
}

export function clearsFloor(hit: FloorSignals, floor: FloorParams = DEFAULT_FLOOR): boolean {
  if (hit.vectorScore === null || hit.termCoverage <= 0) return false;
  if (hit.vectorScore >= floor.minCosine) return true;
  return hit.termCoverage >= floor.minCoverage && hit.vectorScore >= floor.minCosineWithTerms;
}

/** Below this cosine a passage fails whatever its terms, so retrieval skips its term analysis. */
export function canClearFloor(vectorScore: number | null, floor: FloorParams = DEFAULT_FLOOR): boolean {
  return vectorScore !== null && vectorScore >= Math.min(floor.minCosine, floor.minCosineWithTerms);
}
