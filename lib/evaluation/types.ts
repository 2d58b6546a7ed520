// What an evaluation run reports. Names and numbers only: a run is shown to those who manage a
// collection, who may lack a read grant, so it never carries document text.

export interface QuestionScore {
  question: string;
  /** Expected document names, as written in the golden set. */
  expected: string[];
  /** Expected names no active document in the collection carries (deleted or misspelt). */
  missing: string[];
  /** Distinct documents in the order retrieval ranked them (at most 10). */
  retrieved: string[];
  recallAt5: number;
  ndcgAt10: number;
  /** The answer said the documents do not cover the question. */
  notCovered: boolean;
  /** Cited documents, in the order first cited. */
  cited: string[];
  /** Share of citations that point at an expected document; null when the answer cites nothing. */
  citationPrecision: number | null;
}

export interface EvaluationTotals {
  questions: number;
  recallAt5: number;
  ndcgAt10: number;
  notCoveredShare: number;
  /** Over every citation of every answer; null when no answer cited anything. */
  citationPrecision: number | null;
}

export interface EvaluationIdentity {
  embedderId: string;
  /** The generator's kind and model, e.g. "extractive" or "llama:model.gguf@sha256:…". */
  generatorId: string;
  chunkerId: string;
}

export interface EvaluationReport extends EvaluationIdentity {
  runId: string;
  collection: { id: string; name: string };
  source: string;
  minRecall: number;
  passed: boolean;
  totals: EvaluationTotals;
  questions: QuestionScore[];
  createdAt: string;
}
