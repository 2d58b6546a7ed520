// The two checks around answering, for the chat to call: what a question holds before it is
// used or stored, and what an answer may say given the passages it was allowed to cite. Pure.

import { scanInjection, type InjectionFinding } from "./injection";
import { countPii, detectPii, MASK_TOKENS, maskPii, type DetectPiiOptions, type PiiFinding, type PiiType } from "./pii";

export interface QuestionScan {
  pii: PiiFinding[];
  /** The question with every finding masked: what an audit trail stores under a masking policy. */
  masked: string;
  /** Passwords and keys: the chat should warn before sending the question at all. */
  secrets: PiiFinding[];
  injection: InjectionFinding[];
}

export function scanQuestion(question: string, opts: DetectPiiOptions = {}): QuestionScan {
  const pii = detectPii(question, opts);
  return {
    pii,
    masked: maskPii(question, pii),
    secrets: pii.filter((f) => f.type === "secret" || f.type === "password"),
    injection: scanInjection(question),
  };
}

export interface GuardedAnswer {
  text: string;
  /** What was redacted, by type; empty when the answer only repeats what its passages say. */
  redacted: Partial<Record<PiiType, number>>;
  flagged: boolean;
}

/** Digits and letters only, lower case: "536-22-1987" in an answer matches "536 22 1987" in a passage. */
function canonical(value: string): string {
  return value.toLowerCase().replace(/[^\p{L}\p{N}@.]/gu, "");
}

/** What an answer may repeat: every value the sources hold, in any formatting. */
function allowance(sources: readonly string[], opts: DetectPiiOptions) {
  const allowed = new Set<string>();
  for (const source of sources)
    for (const f of detectPii(source, { ...opts, minConfidence: 0 })) allowed.add(`${f.type}:${canonical(f.text)}`);
  const haystack = canonical(sources.join("\n"));
  return (f: PiiFinding) => allowed.has(`${f.type}:${canonical(f.text)}`) || haystack.includes(canonical(f.text));
}

/** Personal data in `answer` that none of `sources` contains. */
export function foreignPii(answer: string, sources: readonly string[], opts: DetectPiiOptions = {}): PiiFinding[] {
  const allowed = allowance(sources, opts);
  return detectPii(answer, opts).filter((f) => !allowed(f));
}

/**
 * Redacts personal data in an answer that none of the permitted passages contains: a model that
 * produces an SSN, a card number or a name from elsewhere (its training, another user's question)
 * must not show it. Values present in a cited passage the asker may read pass unchanged.
 */
export function guardAnswer(answer: string, passages: readonly string[], opts: DetectPiiOptions = {}): GuardedAnswer {
  const foreign = foreignPii(answer, passages, opts);
  return { text: maskPii(answer, foreign), redacted: countPii(foreign), flagged: foreign.length > 0 };
}

/** The value as a whole word: a redacted "Ann" must not eat into "Annual". */
function standalone(value: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}])`, "gu");
}

/** Every further whole-word occurrence of values already found, masked: detection can miss a repeat that lacks the first one's context. */
export function maskRepeats(text: string, found: readonly PiiFinding[]): string {
  let out = text;
  for (const f of found) out = out.replace(standalone(f.text), MASK_TOKENS[f.type]);
  return out;
}

export interface AnswerPartsInput {
  /** The whole answer, and the same answer sentence by sentence (both are shown and stored). */
  text: string;
  sentences: readonly string[];
  /** The passages the answer cites: personal data they hold may be repeated. */
  passages: readonly string[];
  /** What the asker typed: repeating their own values is no leak. */
  question: string;
  /** Values the stored question masks: masked in the answer too, unless a cited passage holds them. */
  maskedQuestionValues: readonly PiiFinding[];
}

export interface GuardedAnswerParts {
  text: string;
  sentences: string[];
  /** Redacted because neither the cited passages nor the question contain them, by type. */
  redacted: Partial<Record<PiiType, number>>;
  /** The asker's own values masked as the stored question is, by type. */
  echoed: Partial<Record<PiiType, number>>;
}

/**
 * What the output guard does with one finding in an answer: `foreign` (no permitted passage nor the
 * question holds it: redact and flag), `echo` (the asker's own value that their stored question
 * masks: mask alike) or null (let it through).
 */
export function answerPiiClassifier(
  input: Pick<AnswerPartsInput, "passages" | "question" | "maskedQuestionValues">,
  opts: DetectPiiOptions = {},
): (f: PiiFinding) => "foreign" | "echo" | null {
  const fromPassages = allowance(input.passages, opts);
  const fromQuestion = allowance([input.question], opts);
  const maskedKeys = new Set(input.maskedQuestionValues.map((f) => canonical(f.text)));
  return (f) => {
    if (fromPassages(f)) return null;
    if (!fromQuestion(f)) return "foreign";
    return maskedKeys.has(canonical(f.text)) ? "echo" : null;
  };
}

/**
 * guardAnswer for an answer shown both whole and sentence by sentence, with the question taken
 * into account. Every value removed from the whole text is removed from every sentence too (and
 * from repeats detection missed for want of context), so the parts never disagree.
 */
export function guardAnswerParts(input: AnswerPartsInput, opts: DetectPiiOptions = {}): GuardedAnswerParts {
  const classify = answerPiiClassifier(input, opts);
  const foreign: PiiFinding[] = [];
  const echoed: PiiFinding[] = [];
  for (const f of detectPii(input.text, opts)) {
    const c = classify(f);
    if (c === "foreign") foreign.push(f);
    else if (c === "echo") echoed.push(f);
  }
  const removed = [...foreign, ...echoed];
  const scrub = (text: string) =>
    maskRepeats(
      maskPii(
        text,
        detectPii(text, opts).filter((f) => classify(f) !== null),
      ),
      removed,
    );
  return {
    text: scrub(input.text),
    sentences: input.sentences.map(scrub),
    redacted: countPii(foreign),
    echoed: countPii(echoed),
  };
}
