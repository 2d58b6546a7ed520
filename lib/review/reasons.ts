// Why an answer is in the review queue, where it stands, and what a reviewer may decide. Pure:
// the schema, the chat's feedback controls and the compliance pages share these. The value lists
// live with the schema (db/schema/review-values.ts), which may not import lib/.

import {
  GUARD_REVIEW_REASONS,
  REVIEW_DECISIONS,
  REVIEW_REASONS,
  REVIEW_STATUSES,
  USER_REVIEW_REASONS,
} from "@/db/schema/review-values";

export { GUARD_REVIEW_REASONS, REVIEW_DECISIONS, REVIEW_REASONS, REVIEW_STATUSES, USER_REVIEW_REASONS };

export type UserReviewReason = (typeof USER_REVIEW_REASONS)[number];

export type GuardReviewReason = (typeof GUARD_REVIEW_REASONS)[number];

export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const REVIEW_REASON_LABELS: Record<ReviewReason, string> = {
  incorrect: "Incorrect",
  unsupported: "Not supported by the sources",
  harmful: "Harmful",
  other: "Other",
  output_redacted: "Personal data redacted from the answer",
  question_injection: "Possible prompt injection in the question",
  weak_support: "Weakly supported by its sources",
};

export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const REVIEW_DECISION_LABELS: Record<ReviewDecision, string> = {
  correct: "The answer is correct",
  incorrect: "The answer is incorrect",
  escalate: "Escalate",
  reopen: "Reopen",
};

export function isReviewReason(value: string): value is ReviewReason {
  return (REVIEW_REASONS as readonly string[]).includes(value);
}
