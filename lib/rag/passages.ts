import type { PromptPassage } from "@/lib/models/generator";
import type { FusedHit, RetrievedPassage } from "./types";

/**
 * A search hit as the passage numbered `n` in a prompt. Chat and the evaluation runner both build
 * passages this way, so an evaluation scores exactly what an asker would be answered from.
 */
export function toRetrievedPassage(hit: FusedHit, n: number, collectionId: string): RetrievedPassage {
  return {
    n,
    chunkId: hit.id,
    documentId: hit.documentId,
    versionId: hit.versionId,
    collectionId,
    title: hit.title,
    headingPath: hit.headingPath,
    pageStart: hit.pageStart,
    pageEnd: hit.pageEnd,
    charStart: hit.charStart,
    charEnd: hit.charEnd,
    text: hit.text,
    ...(hit.ocrConfidence !== null ? { ocrConfidence: hit.ocrConfidence } : {}),
    score: hit.score,
    vectorScore: hit.vectorScore,
    vectorRank: hit.vectorRank,
    textRank: hit.textRank,
  };
}

/** Only what the prompt shows of a passage: ids and scores stay out of what a model is sent. */
export function toPromptPassage(p: RetrievedPassage): PromptPassage {
  return { n: p.n, text: p.text, title: p.title, headingPath: p.headingPath, pageStart: p.pageStart };
}
