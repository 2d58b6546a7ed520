// Why an answer is in the review queue, where it stands, and what a reviewer may decide. Pure:
// the schema, the chat's feedback controls and the compliance pages share these.

/** Reasons an asker gives with a thumbs down. */
export const USER_REVIEW_REASONS = ["incorrect", "unsupported", "harmful", "other"] as const;
export type UserReviewReason = (typeof USER_REVIEW_REASONS)[number];

/** Reasons the guards give: personal data redacted from the answer, injection in the question, weak support. */
export const GUARD_REVIEW_REASONS = ["output_redacted", "question_injection", "weak_support"] as const;
export type GuardReviewReason = (typeof GUARD_REVIEW_REASONS)[number];

export const REVIEW_REASONS = [...USER_REVIEW_REASONS, ...GUARD_REVIEW_REASONS] as const;
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

/** open: waiting for a reviewer; escalated: handed on, still open; resolved: decided. */
export const REVIEW_STATUSES = ["open", "escalated", "resolved"] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** correct / incorrect resolve an item; escalate hands it on; reopen takes a resolved one back. */
export const REVIEW_DECISIONS = ["correct", "incorrect", "escalate", "reopen"] as const;
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
