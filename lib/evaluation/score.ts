import type { ExpectedSource } from "@/db/schema/evaluations";
import { mean, ndcgAt, recallAt } from "./metrics";
import type { EvaluationTotals, QuestionScore } from "./types";

// Scoring one golden question from what retrieval ranked and what the answer cited. Documents
// are matched by name, ignoring case and surrounding space; an expected document narrowed to
// phrases counts only where the passage holds one of them (ignoring case and runs of space).

export const normalizeName = (name: string) => name.trim().toLowerCase();
const normalizeText = (text: string) => text.toLowerCase().replace(/\s+/g, " ");

export interface RankedPassage {
  documentId: string;
  text: string;
}

export interface ScoreInput {
  question: string;
  expected: ExpectedSource[];
  /** Active documents of the collection: id → name. */
  names: Map<string, string>;
  /** Passages best first, as retrieval returned them. */
  ranked: RankedPassage[];
  notCovered: boolean;
  /** Document ids of the answer's citations, in the order cited (repeats allowed). */
  citedDocumentIds: string[];
}

export function scoreQuestion(input: ScoreInput): QuestionScore & { citations: number; correctCitations: number } {
  const known = new Set([...input.names.values()].map(normalizeName));
  const expected = new Map(input.expected.map((e) => [normalizeName(e.document), e]));
  const phrases = new Map(
    input.expected
      .filter((e) => e.phrases && e.phrases.length > 0)
      .map((e) => [normalizeName(e.document), e.phrases!.map(normalizeText)]),
  );

  // A passage of an expected document that lacks every required phrase is a miss, not a hit.
  const keys: string[] = [];
  const retrieved: string[] = [];
  for (const p of input.ranked) {
    const name = input.names.get(p.documentId);
    if (name === undefined) continue;
    const key = normalizeName(name);
    const needed = phrases.get(key);
    const holds = !needed || needed.some((ph) => normalizeText(p.text).includes(ph));
    const rankKey = holds ? key : `${key}\u0000without-phrase`;
    if (!keys.includes(rankKey)) keys.push(rankKey);
    if (!retrieved.includes(name) && retrieved.length < 10) retrieved.push(name);
  }
  const relevant = new Map([...expected.keys()].map((k) => [k, 1]));

  const cited: string[] = [];
  let correctCitations = 0;
  for (const id of input.citedDocumentIds) {
    const name = input.names.get(id);
    if (name === undefined) continue;
    if (expected.has(normalizeName(name))) correctCitations++;
    if (!cited.includes(name)) cited.push(name);
  }
  const citations = input.citedDocumentIds.length;
  return {
    question: input.question,
    expected: input.expected.map((e) => e.document),
    missing: input.expected.map((e) => e.document).filter((d) => !known.has(normalizeName(d))),
    retrieved,
    recallAt5: recallAt(keys, relevant, 5),
    ndcgAt10: ndcgAt(keys, relevant, 10),
    notCovered: input.notCovered,
    cited,
    citationPrecision: citations > 0 ? correctCitations / citations : null,
    citations,
    correctCitations,
  };
}

export function totalsOf(
  scores: (QuestionScore & { citations: number; correctCitations: number })[],
): EvaluationTotals {
  const citations = scores.reduce((s, q) => s + q.citations, 0);
  const correct = scores.reduce((s, q) => s + q.correctCitations, 0);
  return {
    questions: scores.length,
    recallAt5: mean(scores.map((q) => q.recallAt5)),
    ndcgAt10: mean(scores.map((q) => q.ndcgAt10)),
    notCoveredShare: mean(scores.map((q) => (q.notCovered ? 1 : 0))),
    citationPrecision: citations > 0 ? correct / citations : null,
  };
}
