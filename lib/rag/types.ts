// Shapes shared by retrieval, prompting, citation checking, the chat API and the audit trail.

import type { Hit } from "@/lib/vector/store";

/** Which list found a hit and where; a hit found by both lists carries both ranks. */
export interface RankSignals {
  /** 1-based rank in the vector list, null if absent. */
  vectorRank: number | null;
  /**
   * Cosine similarity to the question: from the vector list, or computed from the stored vector
   * of a passage only BM25 found; null when unknown.
   */
  vectorScore: number | null;
  textRank: number | null;
  /** Raw BM25 score; comparable only within one query. Never shown to users. */
  textScore: number | null;
}

/** A hit after fusion: `score` is the fused score (higher is better), used for ordering only. */
export interface FusedHit extends Hit, RankSignals {
  /** Share of the question's informative terms found in the passage (0..1). */
  termCoverage: number;
  /** The reranking model's score (0..1) when one is configured (lib/rag/rerank.ts). */
  rerankScore?: number;
}

/** A passage that made it into the prompt, numbered from 1 as the model cites it. */
export interface RetrievedPassage {
  n: number;
  chunkId: string;
  documentId: string;
  versionId: string;
  collectionId: string;
  title: string;
  headingPath: string;
  pageStart: number | null;
  pageEnd: number | null;
  charStart: number;
  charEnd: number;
  text: string;
  /** Present when the passage's text was read by OCR: its lowest recognition confidence, 0–100. */
  ocrConfidence?: number;
  score: number;
  vectorScore: number | null;
  textRank: number | null;
  vectorRank: number | null;
}

export interface Citation {
  /** The passage number as written in the answer, `[n]`. */
  n: number;
  chunkId: string;
  documentId: string;
  versionId: string;
  versionNumber: number | null;
  /** sha256 of the version's original file: what an auditor checks the passage against. */
  versionSha256: string | null;
  title: string;
  headingPath: string;
  pageStart: number | null;
  pageEnd: number | null;
  charStart: number;
  charEnd: number;
  /** The passage text as it was retrieved. */
  text: string;
  /**
   * Present when the passage was read by OCR from a scanned page or an image: its lowest
   * recognition confidence, 0–100 (the words may differ from the original).
   */
  ocrConfidence?: number;
  /** When the cited version took effect (ISO), and when it stopped (exclusive; null: still in effect). */
  effectiveFrom?: string;
  effectiveUntil?: string | null;
  /** A later version of the document exists: the comparison view shows what changed. */
  newerVersion?: { versionId: string; versionNumber: number };
}

export type SupportLevel = "supported" | "weak" | "uncited";

/** One sentence of the answer with the passages it cites and how well they support it. */
export interface AnswerSentence {
  text: string;
  citations: number[];
  support: SupportLevel;
  /** 0..1: how much of the sentence's content the cited passages contain. */
  supportScore: number;
}
