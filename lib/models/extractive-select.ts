import { contentTerms } from "@/lib/rag/terms";
import type { PromptPassage } from "./generator";

// Which sentences of the retrieved passages answer a question best, for the extractive generator.
// Pure functions (no model, no I/O) so the choice can be tested and benchmarked on its own.

export interface CandidateSentence {
  /** The passage's number, as it is cited. */
  n: number;
  /** Order of the passage in the list given (0 = first retrieved). */
  passageIndex: number;
  /** Index of the sentence among all sentences of its passage (splitSentences), kept or not. */
  position: number;
  /** The sentence as it reads in the passage, list markers and extra whitespace removed. */
  text: string;
  terms: Set<string>;
}

export interface ScoredSentence extends CandidateSentence {
  /** Weighted share of the question's terms the sentence contains (0..1). */
  lexical: number;
  /** Cosine similarity to the question when an embedder was used, else null. */
  similarity: number | null;
  score: number;
}

export interface SelectOptions {
  /** At most this many sentences (default 4). */
  maxSentences?: number;
  /** Cosine similarity of each candidate to the question, in candidate order (from an embedder). */
  similarities?: number[];
  /** Weight of the similarity against lexical coverage, 0..1 (default SIMILARITY_WEIGHT). */
  similarityWeight?: number;
}

/**
 * How much the embedder's similarity counts when one is given: the best of the weights tried by
 * `npm run bench:extractive` (SciFact sentence evidence). The gain over lexical coverage alone was
 * small (P@1 +2 points, within noise) and USE-lite costs seconds per answer on a small CPU, so the
 * runtime does not pass an embedder by default (docs/adr: generators).
 */
export const SIMILARITY_WEIGHT = 0.3;
/** Later picks must score at least this share of the best one: no padding with weak sentences. */
const RELATIVE_FLOOR = 0.5;
/** Sentences sharing this share of their terms with one already picked say the same thing. */
const DUPLICATE_OVERLAP = 0.7;
/** Longer sentences are cut at a word boundary, with an ellipsis. */
const MAX_SENTENCE_CHARS = 400;
/** Fewer words than this: a heading or a label, not an answer. */
const MIN_WORDS = 4;
/** Without closing punctuation, a line this short is a heading or a list label. */
const MIN_WORDS_UNPUNCTUATED = 8;

// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS =
  /(?:^|\s)(?:mr|mrs|ms|dr|prof|sr|jr|st|no|nos|vs|fig|figs|sec|secs|art|para|paras|ch|vol|pp|p|approx|dept|inc|ltd|co|corp|e\.g|i\.e|etc|cf|al|u\.s|u\.k|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.$/i;
const SENTENCE_END = /[.!?…]["'”’)\]]*$/;
const LIST_MARKER = /^\s*(?:[-*•+]\s+|\d+[.)]\s+|[a-z][.)]\s+|\([a-z0-9]+\)\s+)?(?:\[[ xX]\]\s+)?/;

let segmenter: Intl.Segmenter | undefined;

/** Sentences of a passage: lines first (list items, headings), then sentence ends within a line. */
export function splitSentences(text: string): string[] {
  segmenter ??= new Intl.Segmenter("en", { granularity: "sentence" });
  const out: string[] = [];
  for (const rawLine of text.split(/\n+/)) {
    const line = rawLine
      .replace(/^\s*#{1,6}\s+/, "")
      .replace(LIST_MARKER, "")
      .replace(/\s+/g, " ")
      .trim();
    if (!line) continue;
    let pending = "";
    for (const { segment } of segmenter.segment(line)) {
      pending += segment;
      // "Dr. Smith", "e.g. quarterly": the segmenter may cut after an abbreviation; join back.
      if (ABBREVIATIONS.test(pending.trimEnd())) continue;
      if (pending.trim()) out.push(pending.trim());
      pending = "";
    }
    if (pending.trim()) out.push(pending.trim());
  }
  return out;
}

function isAnswerLike(sentence: string): boolean {
  const words = sentence.split(" ").length;
  if (words < MIN_WORDS) return false;
  // "The following steps are taken:" introduces a list it does not contain.
  if (/:\s*$/.test(sentence)) return false;
  if (SENTENCE_END.test(sentence)) return true;
  // Unpunctuated: a list item reads as a statement, but "… the following steps are" is a lead-in
  // cut off before its list (it ends on a function word).
  const last = sentence.split(" ").at(-1) ?? "";
  return words >= MIN_WORDS_UNPUNCTUATED && contentTerms(last).length > 0;
}

function clip(sentence: string): string {
  if (sentence.length <= MAX_SENTENCE_CHARS) return sentence;
  const cut = sentence.lastIndexOf(" ", MAX_SENTENCE_CHARS);
  return `${sentence.slice(0, cut > MAX_SENTENCE_CHARS / 2 ? cut : MAX_SENTENCE_CHARS).replace(/[\s,;:]+$/, "")}…`;
}

/** Every answer-like sentence of the passages, in passage order, exact repeats dropped. */
export function candidateSentences(passages: readonly PromptPassage[]): CandidateSentence[] {
  const seen = new Set<string>();
  const out: CandidateSentence[] = [];
  passages.forEach((p, passageIndex) => {
    splitSentences(p.text).forEach((sentence, position) => {
      if (!isAnswerLike(sentence)) return;
      const key = sentence
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim();
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ n: p.n, passageIndex, position, text: clip(sentence), terms: new Set(contentTerms(sentence)) });
    });
  });
  return out;
}

/** Lexical score per candidate: the share of the question's terms present, each weighted by how rare it is among the candidates. */
export function lexicalScores(question: string, candidates: readonly CandidateSentence[]): number[] {
  const wanted = [...new Set(contentTerms(question))];
  if (wanted.length === 0) return candidates.map(() => 0);
  const weights = wanted.map((t) => {
    let df = 0;
    for (const c of candidates) if (c.terms.has(t)) df++;
    // A term every sentence shares separates nothing; a term found nowhere cannot be matched anyway.
    return Math.log(1 + candidates.length / (1 + df));
  });
  const total = weights.reduce((a, b) => a + b, 0);
  return candidates.map((c) => {
    let got = 0;
    wanted.forEach((t, i) => {
      if (c.terms.has(t)) got += weights[i]!;
    });
    return total > 0 ? got / total : 0;
  });
}

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / Math.min(a.size, b.size);
}

/**
 * The sentences that best answer the question, at most `maxSentences`, in reading order (by
 * passage as given, then by position). Never empty when there is any candidate sentence.
 */
export function selectSentences(
  question: string,
  passages: readonly PromptPassage[],
  opts: SelectOptions = {},
): ScoredSentence[] {
  const candidates = candidateSentences(passages);
  return pickSentences(question, candidates, opts);
}

/** selectSentences on candidates already split (the generator embeds them in between). */
export function pickSentences(
  question: string,
  candidates: readonly CandidateSentence[],
  opts: SelectOptions = {},
): ScoredSentence[] {
  if (candidates.length === 0) return [];
  const maxSentences = opts.maxSentences ?? 4;
  const weight = opts.similarities ? (opts.similarityWeight ?? SIMILARITY_WEIGHT) : 0;
  const lexical = lexicalScores(question, candidates);
  const scored: ScoredSentence[] = candidates.map((c, i) => {
    const similarity = opts.similarities ? Math.max(0, opts.similarities[i] ?? 0) : null;
    // A small preference for earlier passages: retrieval already ranked them.
    const prior = 0.02 / (1 + c.passageIndex);
    const score = (1 - weight) * lexical[i]! + weight * (similarity ?? 0) + prior;
    return { ...c, lexical: lexical[i]!, similarity, score };
  });

  const ranked = [...scored].sort(
    (a, b) => b.score - a.score || a.passageIndex - b.passageIndex || a.position - b.position,
  );
  const best = ranked[0]!;
  const picked: ScoredSentence[] = [best];
  for (const s of ranked.slice(1)) {
    if (picked.length >= maxSentences) break;
    if (s.score < best.score * RELATIVE_FLOOR) break;
    // Nothing about the question in it at all: only the best sentence may be such a fallback.
    if (s.lexical === 0 && (s.similarity ?? 0) === 0) break;
    if (picked.some((p) => overlap(p.terms, s.terms) >= DUPLICATE_OVERLAP)) continue;
    picked.push(s);
  }
  return picked.sort((a, b) => a.passageIndex - b.passageIndex || a.position - b.position);
}

/** "… within 30 days." + 3 → "… within 30 days [3]." (the citation sits inside the sentence it supports). */
export function withCitation(sentence: string, n: number): string {
  const m = /^([\s\S]*?)([.!?…]+["'”’)\]]*)$/.exec(sentence);
  if (m && m[1]!.trim()) return `${m[1]!.trimEnd()} [${n}]${m[2]}`;
  return `${sentence.replace(/[\s,;:]+$/, "")} [${n}].`;
}
