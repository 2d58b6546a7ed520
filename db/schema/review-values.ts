// The values the review tables' check constraints allow. No imports: the chat's client
// components reach these through lib/review/reasons.ts, so nothing here may pull in drizzle.

/** Reasons an asker gives with a thumbs down. */
export const USER_REVIEW_REASONS = ["incorrect", "unsupported", "harmful", "other"] as const;

/** Reasons the guards give: personal data redacted from the answer, injection in the question, weak support. */
export const GUARD_REVIEW_REASONS = ["output_redacted", "question_injection", "weak_support"] as const;

export const REVIEW_REASONS = [...USER_REVIEW_REASONS, ...GUARD_REVIEW_REASONS] as const;

/** open: waiting for a reviewer; escalated: handed on, still open; resolved: decided. */
export const REVIEW_STATUSES = ["open", "escalated", "resolved"] as const;

/** correct / incorrect resolve an item; escalate hands it on; reopen takes a resolved one back. */
export const REVIEW_DECISIONS = ["correct", "incorrect", "escalate", "reopen"] as const;
