// The two checks around answering, for the chat to call: what a question holds before it is
// used or stored, and what an answer may say given the passages it was allowed to cite. Pure.

import { scanInjection, type InjectionFinding } from "./injection";
import { countPii, detectPii, maskPii, type DetectPiiOptions, type PiiFinding, type PiiType } from "./pii";

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

/**
 * Redacts personal data in an answer that none of the permitted passages contains: a model that
 * produces an SSN, a card number or a name from elsewhere (its training, another user's question)
 * must not show it. Values present in a cited passage the asker may read pass unchanged.
 */
export function guardAnswer(answer: string, passages: readonly string[], opts: DetectPiiOptions = {}): GuardedAnswer {
  const allowed = new Set<string>();
  for (const passage of passages) for (const f of detectPii(passage, { ...opts, minConfidence: 0 })) allowed.add(`${f.type}:${canonical(f.text)}`);
  const haystack = canonical(passages.join("\n"));
  const foreign = detectPii(answer, opts).filter((f) => !allowed.has(`${f.type}:${canonical(f.text)}`) && !haystack.includes(canonical(f.text)));
  return { text: maskPii(answer, foreign), redacted: countPii(foreign), flagged: foreign.length > 0 };
}
