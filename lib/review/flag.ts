import "server-only";
import type { Executor } from "@/db/client";
import {
  insertReviewAction,
  insertReviewFlags,
  lockOrCreateReviewItem,
  touchReviewItem,
  updateReviewItemStatus,
} from "@/db/queries/review";
import { REVIEW_REASON_LABELS, type ReviewReason } from "./reasons";

// Putting an answer in front of a reviewer. Called inside the transaction that records why (the
// answer's own record, or the asker's feedback), so a flag exists exactly when its cause does.

export interface FlagInput {
  source: "user" | "guard";
  reason: ReviewReason;
  /** Kinds and counts only: never values or text. */
  details?: Record<string, unknown>;
  createdBy?: string | null;
}

export interface FlaggedItem {
  itemId: string;
  number: number;
  /** A resolved item taken back into the queue by this flag. */
  reopened: boolean;
}

/**
 * Adds flags to the answer's review item, creating it (one per answer) when it has none. A new
 * flag on a resolved item reopens it: the earlier resolution stays in its history.
 */
export async function flagAnswer(
  tx: Executor,
  {
    messageId,
    conversationId,
    asker,
    flags,
  }: {
    messageId: string;
    conversationId: string;
    asker: { id: string | null; email: string | null };
    flags: FlagInput[];
  },
): Promise<FlaggedItem | null> {
  if (flags.length === 0) return null;
  const { item } = await lockOrCreateReviewItem(tx, {
    messageId,
    conversationId,
    askerId: asker.id,
    askerEmail: asker.email,
  });
  await insertReviewFlags(
    tx,
    flags.map((f) => ({
      itemId: item.id,
      source: f.source,
      reason: f.reason,
      details: f.details ?? {},
      createdBy: f.createdBy ?? null,
    })),
  );
  const reopened = item.status === "resolved";
  if (reopened) {
    await updateReviewItemStatus(tx, { id: item.id, status: "open", resolution: null });
    await insertReviewAction(tx, {
      itemId: item.id,
      decision: "reopen",
      note: `Reopened by a new flag: ${flags.map((f) => REVIEW_REASON_LABELS[f.reason]).join(", ")}.`,
      statusAfter: "open",
      actorId: null,
      actorEmail: null,
    });
  } else {
    await touchReviewItem(tx, { id: item.id });
  }
  return { itemId: item.id, number: item.number, reopened };
}
