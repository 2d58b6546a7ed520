import "server-only";
import type { CountryCode } from "libphonenumber-js/max";
import { env } from "@/lib/env";
import type { DetectPiiOptions } from "./pii";
import { DEFAULT_QUESTION_POLICY, type QuestionPolicy } from "./question-policy";

/** Detection options from the configuration: site MRN patterns and the default phone region. */
export function detectOptionsFromEnv(): DetectPiiOptions {
  const e = env();
  return { mrnPatterns: e.PII_MRN_PATTERNS ?? [], phoneRegion: e.PII_PHONE_REGION as CountryCode };
}

/** The deployment's policy for questions (QUESTION_PII_POLICY, QUESTION_PII_TYPES, QUESTION_INJECTION_POLICY). */
export function questionPolicyFromEnv(): QuestionPolicy {
  const e = env();
  return {
    pii: e.QUESTION_PII_POLICY,
    piiTypes: e.QUESTION_PII_TYPES ?? [...DEFAULT_QUESTION_POLICY.piiTypes],
    injection: e.QUESTION_INJECTION_POLICY,
  };
}
