// The privacy and safety steps around one answer, kept out of ask.ts: what of the question is
// stored, what retrieval and the model get, whether an injection attempt is refused, what of the
// answer may be shown, and whether the answer goes to the human review queue. Pure: the policy
// and the detection options come from the caller (lib/privacy/config.ts in production).

import { AppError } from "@/lib/errors";
import { INJECTION_LABELS, type InjectionKind } from "@/lib/privacy/injection";
import { countPii, detectPii, maskPii, type DetectPiiOptions, type PiiFinding, type PiiType } from "@/lib/privacy/pii";
import { guardAnswerParts, scanQuestion } from "@/lib/privacy/guards";
import { CREDENTIAL_TYPES, type QuestionPolicy } from "@/lib/privacy/question-policy";
import type { CheckedAnswer } from "@/lib/rag/cite";
import type { AnswerSentence } from "@/lib/rag/types";
import type { GuardReviewReason } from "@/lib/review/reasons";
import type { AnswerGuardSummary } from "./types";

const EXCERPT_CHARS = 200;

export interface QuestionInjectionFinding {
  kind: InjectionKind;
  confidence: number;
  /** The words that matched, personal data masked. */
  excerpt: string;
}

export interface ScreenedQuestion {
  /** As typed: handed to nothing that stores or logs it. */
  typed: string;
  /** What retrieval and the model get: as typed, except credentials under `mask`. */
  forModel: string;
  /** What is stored (conversation, title, audit trail): masked under `mask`. */
  stored: string;
  policy: QuestionPolicy;
  pii: Partial<Record<PiiType, number>>;
  masked: Partial<Record<PiiType, number>>;
  /** The findings masked in `stored`, so an answer that repeats one is masked alike. Never recorded. */
  maskedFindings: PiiFinding[];
  injection: QuestionInjectionFinding[];
}

/**
 * Scans a question before it is used. Under `mask` the chosen kinds are masked in what is stored;
 * retrieval and the model still get the identifiers, because a question is often about one (a
 * record number, a patient's SSN in a clinical collection that keeps them) and the model runs
 * here, its prompt is never stored (only a hash); credentials are masked for the model too,
 * since no answer depends on them.
 */
export function screenQuestion(
  question: string,
  policy: QuestionPolicy,
  opts: DetectPiiOptions = {},
): ScreenedQuestion {
  const scan = scanQuestion(question, opts);
  const chosen = policy.pii === "mask" ? scan.pii.filter((f) => policy.piiTypes.includes(f.type)) : [];
  const credentials = chosen.filter((f) => CREDENTIAL_TYPES.includes(f.type));
  return {
    typed: question,
    forModel: maskPii(question, credentials),
    stored: maskPii(question, chosen),
    policy,
    pii: countPii(scan.pii),
    masked: countPii(chosen),
    maskedFindings: chosen,
    injection: scan.injection.map((f) => {
      const masked = maskPii(f.text, detectPii(f.text, opts));
      return {
        kind: f.kind,
        confidence: f.confidence,
        excerpt: masked.length > EXCERPT_CHARS ? `${masked.slice(0, EXCERPT_CHARS - 1)}…` : masked,
      };
    }),
  };
}

/** Under QUESTION_INJECTION_POLICY=refuse, the error a question with injection findings is turned away with. */
export function injectionRefusal(q: ScreenedQuestion): AppError | null {
  if (q.policy.injection !== "refuse" || q.injection.length === 0) return null;
  const kinds = [...new Set(q.injection.map((f) => INJECTION_LABELS[f.kind].toLowerCase()))].join("; ");
  return new AppError(
    "invalid_request",
    `This question was not answered because it reads as an attempt to change how the assistant works (${kinds}). Ask about your documents in your own words; if this is a mistake, tell your administrator.`,
  );
}

/** The audit fields for the question: kinds and counts found and masked, injection findings. Never a value. */
export function questionRecord(q: ScreenedQuestion): Record<string, unknown> {
  return {
    questionPrivacy: { policy: q.policy.pii, pii: q.pii, masked: q.masked },
    injection: q.injection.map((f) => ({ kind: f.kind, confidence: f.confidence, excerpt: f.excerpt })),
  };
}

export interface GuardedAnswer {
  text: string;
  sentences: AnswerSentence[];
  redacted: Partial<Record<PiiType, number>>;
}

/**
 * The output guard, after citation checking: personal data that neither the cited passages nor
 * the question contain is redacted (and the answer flagged); the asker's own values are masked
 * as their stored question is. Applies to the whole text and to each sentence alike.
 */
export function guardCheckedAnswer(
  checked: CheckedAnswer,
  q: ScreenedQuestion,
  opts: DetectPiiOptions = {},
): GuardedAnswer {
  const parts = guardAnswerParts(
    {
      text: checked.text,
      sentences: checked.sentences.map((s) => s.text),
      passages: checked.citations.map((c) => c.text),
      question: q.typed,
      maskedQuestionValues: q.maskedFindings,
    },
    opts,
  );
  return {
    text: parts.text,
    sentences: checked.sentences.map((s, i) => ({ ...s, text: parts.sentences[i]! })),
    redacted: parts.redacted,
  };
}

/** At least this share of an answer's cited sentences weakly supported sends it for review. */
export const WEAK_SUPPORT_SHARE = 0.5;

export interface GuardFlag {
  reason: GuardReviewReason;
  details: Record<string, unknown>;
}

/**
 * Why the guards send an answer to a reviewer: personal data was redacted from it, its question
 * tried to steer the model, or most of its cited sentences are only weakly supported by what they
 * cite. Uncited sentences are left out of the last: the extractive answer's plain first sentence
 * is one, and a model's connecting sentences are others.
 */
export function guardFlags({
  guarded,
  q,
  sentences,
  complete,
}: {
  guarded: GuardedAnswer;
  q: ScreenedQuestion;
  sentences: AnswerSentence[];
  complete: boolean;
}): GuardFlag[] {
  const flags: GuardFlag[] = [];
  if (Object.keys(guarded.redacted).length > 0)
    flags.push({ reason: "output_redacted", details: { kinds: guarded.redacted } });
  if (q.injection.length > 0)
    flags.push({ reason: "question_injection", details: { kinds: [...new Set(q.injection.map((f) => f.kind))] } });
  const cited = sentences.filter((s) => s.citations.length > 0);
  const weak = cited.filter((s) => s.support === "weak");
  if (complete && weak.length > 0 && weak.length >= cited.length * WEAK_SUPPORT_SHARE) {
    flags.push({ reason: "weak_support", details: { weak: weak.length, cited: cited.length } });
  }
  return flags;
}

export function guardSummary(
  q: ScreenedQuestion,
  redacted: Partial<Record<PiiType, number>>,
  flags: GuardFlag[],
): AnswerGuardSummary {
  return {
    questionPii: q.pii,
    questionMasked: q.masked,
    questionInjection: q.injection.map((f) => ({ kind: f.kind, confidence: f.confidence })),
    redacted,
    review: flags.map((f) => f.reason),
  };
}
