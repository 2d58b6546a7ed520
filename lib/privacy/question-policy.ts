// What the deployment does with personal data and prompt injection in the questions people ask.
// One policy for the whole deployment (QUESTION_PII_POLICY, QUESTION_PII_TYPES,
// QUESTION_INJECTION_POLICY): a question is not tied to one collection. Pure, so tests and the
// configuration share it.

import { PII_TYPES, type PiiType } from "./pii-types";

export const QUESTION_PII_POLICIES = ["mask", "keep"] as const;
export type QuestionPiiPolicy = (typeof QUESTION_PII_POLICIES)[number];

export const QUESTION_INJECTION_POLICIES = ["answer", "refuse"] as const;
export type QuestionInjectionPolicy = (typeof QUESTION_INJECTION_POLICIES)[number];

export interface QuestionPolicy {
  /**
   * mask: the chosen kinds are replaced by their token ("[SSN]") in everything stored (the
   * conversation, its title, the audit trail); keep: questions are stored as typed.
   */
  pii: QuestionPiiPolicy;
  /** The kinds `mask` acts on. */
  piiTypes: PiiType[];
  /**
   * answer: a question with injection findings is answered (passages are fenced as data either
   * way), recorded with the findings and sent to the review queue; refuse: it is turned away.
   */
  injection: QuestionInjectionPolicy;
}

/** Credentials: no answer depends on them, so under `mask` the model never sees them either. */
export const CREDENTIAL_TYPES: readonly PiiType[] = ["secret", "password"];

/** The identifiers: the same default as a collection's ingestion policy. */
export const DEFAULT_QUESTION_POLICY: QuestionPolicy = {
  pii: "mask",
  piiTypes: ["ssn", "credit_card", "iban", "date_of_birth", "mrn", "secret", "password"],
  injection: "answer",
};

/** "ssn, credit_card" → the kinds in PII_TYPES order; an unknown name is an error naming it. */
export function parsePiiTypeList(raw: string): PiiType[] {
  const names = raw
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((n) => !(PII_TYPES as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(
      `unknown kind${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}; use any of ${PII_TYPES.join(", ")}`,
    );
  return PII_TYPES.filter((t) => names.includes(t));
}
