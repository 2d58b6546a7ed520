import "server-only";
import { z } from "zod";
import type { Database } from "@/db/client";
import { listAuditEventsForMessage } from "@/db/queries/audit";
import {
  countOpenReviewItems,
  getReviewItemById,
  insertReviewAction,
  listReviewActions,
  listReviewFlags,
  listReviewItems,
  lockReviewItem,
  updateReviewItemStatus,
  type ReviewItemRow,
  type ReviewQueueRow,
} from "@/db/queries/review";
import { appendAudit, by } from "@/lib/audit/log";
import { answerView, type AnswerView } from "@/lib/audit/answer-view";
import { eventView, readablePayload } from "@/lib/audit/rows";
import { recordRead } from "@/lib/audit/reads";
import { AppError, fromZodError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import { REVIEW_DECISIONS, REVIEW_REASONS, type ReviewDecision, type ReviewReason, type ReviewStatus } from "./reasons";

// The compliance reviewers' queue: listing, one item with everything needed to judge it, and
// decisions. Every decision is kept in the item's history and appended to the audit trail in the
// same transaction; a decision that does not fit the item's state (resolving a resolved item,
// reopening an open one) is refused, so two reviewers deciding at once cannot both win.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const REVIEW_PAGE_SIZE = 50;

/** Items waiting for a reviewer, for the console's heading. */
export { countOpenReviewItems };
export const MAX_REVIEW_NOTE = 2000;

/** "open" lists what still needs a reviewer: open and escalated items. */
export const QUEUE_STATUS_FILTERS = ["open", "escalated", "resolved", "all"] as const;
export type QueueStatusFilter = (typeof QUEUE_STATUS_FILTERS)[number];

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const reviewQueueFilterSchema = z.object({
  status: z.preprocess(
    blankToUndefined,
    z
      .enum(QUEUE_STATUS_FILTERS, { error: `status must be one of: ${QUEUE_STATUS_FILTERS.join(", ")}.` })
      .default("open"),
  ),
  reason: z.preprocess(
    blankToUndefined,
    z.enum(REVIEW_REASONS, { error: `reason must be one of: ${REVIEW_REASONS.join(", ")}.` }).optional(),
  ),
  before: z.preprocess(
    blankToUndefined,
    z.coerce
      .number("before must be an item number.")
      .int("before must be an item number.")
      .positive("before must be an item number.")
      .optional(),
  ),
  limit: z.preprocess(
    blankToUndefined,
    z.coerce
      .number("limit must be a number.")
      .int("limit must be a whole number.")
      .min(1, "limit must be at least 1.")
      .max(200, "limit must be at most 200.")
      .default(REVIEW_PAGE_SIZE),
  ),
});
export type ReviewQueueFilters = z.infer<typeof reviewQueueFilterSchema>;

export function parseReviewQueueFilters(params: URLSearchParams): ReviewQueueFilters {
  const raw = Object.fromEntries(["status", "reason", "before", "limit"].map((k) => [k, params.get(k) ?? undefined]));
  const parsed = reviewQueueFilterSchema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error, "filter");
  return parsed.data;
}

export const reviewDecisionSchema = z
  .object({
    decision: z.enum(REVIEW_DECISIONS, { error: `decision must be one of: ${REVIEW_DECISIONS.join(", ")}.` }),
    note: z.string().trim().max(MAX_REVIEW_NOTE, `note must be at most ${MAX_REVIEW_NOTE} characters.`).default(""),
  })
  .superRefine((v, ctx) => {
    if (v.decision === "incorrect" && !v.note)
      ctx.addIssue({
        code: "custom",
        path: ["note"],
        message: "say what is wrong with the answer: a note is required for incorrect.",
      });
  });
export type ReviewDecisionInput = z.infer<typeof reviewDecisionSchema>;

export interface ReviewItemJson {
  id: string;
  number: number;
  messageId: string;
  conversationId: string;
  asker: { id: string | null; email: string | null };
  status: ReviewStatus;
  resolution: "correct" | "incorrect" | null;
  reasons: ReviewReason[];
  flagCount: number;
  question: string | null;
  createdAt: string;
  updatedAt: string;
}

function itemJson(r: ReviewQueueRow): ReviewItemJson {
  return {
    id: r.id,
    number: r.number,
    messageId: r.messageId,
    conversationId: r.conversationId,
    asker: { id: r.askerId, email: r.askerEmail },
    status: r.status as ReviewStatus,
    resolution: r.resolution as ReviewItemJson["resolution"],
    reasons: r.reasons as ReviewReason[],
    flagCount: r.flagCount,
    question: r.question,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

export async function listReviewQueue(
  db: Database,
  f: ReviewQueueFilters,
): Promise<{ items: ReviewItemJson[]; nextBefore: number | null }> {
  const statuses =
    f.status === "all" ? ["open", "escalated", "resolved"] : f.status === "open" ? ["open", "escalated"] : [f.status];
  const rows = await listReviewItems(db, { statuses, reason: f.reason, beforeNumber: f.before, limit: f.limit + 1 });
  const items = rows.slice(0, f.limit).map(itemJson);
  return { items, nextBefore: rows.length > f.limit ? items.at(-1)!.number : null };
}

export interface ReviewItemDetail {
  item: ReviewItemJson;
  flags: { source: "user" | "guard"; reason: ReviewReason; details: Record<string, unknown>; at: string }[];
  /** The asker's feedback on the answer as recorded, oldest first (comments redacted by retention read as the marker). */
  feedback: { seq: number; at: string; rating: number; reason: string | null; comment: string }[];
  history: { decision: ReviewDecision; note: string; statusAfter: ReviewStatus; by: string | null; at: string }[];
  /** The audit record of the answer (question, answer, sentences, cited passages as they were, model); null if none was written. */
  answerSeq: number | null;
  answer: AnswerView | null;
}

async function requireItem(db: Database, id: string): Promise<ReviewItemRow> {
  const row = UUID.test(id) ? await getReviewItemById(db, { id }) : null;
  if (!row) throw new AppError("not_found", "No review item with this id.");
  return row;
}

export async function reviewItemDetail(db: Database, id: string): Promise<ReviewItemDetail> {
  const row = await requireItem(db, id);
  const [summary] = await listReviewItems(db, { id: row.id, limit: 1 });
  const [flags, actions, events] = await Promise.all([
    listReviewFlags(db, { itemId: row.id }),
    listReviewActions(db, { itemId: row.id }),
    listAuditEventsForMessage(db, {
      conversationId: row.conversationId,
      messageId: row.messageId,
      types: ["question.answered", "feedback.given"],
    }),
  ]);
  const views = events.map(eventView);
  const answered = views.find((v) => v.type === "question.answered") ?? null;
  return {
    item: itemJson(summary!),
    flags: flags.map((f) => ({
      source: f.source as "user" | "guard",
      reason: f.reason as ReviewReason,
      details: f.details as Record<string, unknown>,
      at: f.createdAt.toISOString(),
    })),
    feedback: views
      .filter((v) => v.type === "feedback.given")
      .map((v) => {
        const p = readablePayload(v);
        return {
          seq: v.seq,
          at: v.at,
          rating: Number(p.rating),
          reason: typeof p.reason === "string" ? p.reason : null,
          comment: typeof p.comment === "string" ? p.comment : "",
        };
      }),
    history: actions.map((a) => ({
      decision: a.decision as ReviewDecision,
      note: a.note,
      statusAfter: a.statusAfter as ReviewStatus,
      by: a.actorEmail,
      at: a.createdAt.toISOString(),
    })),
    answerSeq: answered?.seq ?? null,
    answer: answered ? await answerView(db, answered) : null,
  };
}

/** A page of the queue (it shows each item's question), recorded as one read naming the items shown. */
export async function readReviewQueue(
  ctx: ServiceContext,
  filters: ReviewQueueFilters,
): Promise<{ items: ReviewItemJson[]; nextBefore: number | null }> {
  const { actor, db } = ctx;
  await requireReviewer(ctx);
  const page = await listReviewQueue(db, filters);
  await recordRead(db, actor, {
    kind: "review_queue",
    filters: { ...filters },
    count: page.items.length,
    numbers: page.items.map((i) => i.number),
  });
  return page;
}

/** The queue is the compliance role's, read from the database at call time. */
async function requireReviewer(ctx: ServiceContext): Promise<void> {
  await requireRoleNow(ctx, "compliance", "read or decide the review queue");
}

/** One item for a reviewer, recorded as a read (the item shows the question, answer and passages). */
export async function readReviewItem(ctx: ServiceContext, id: string): Promise<ReviewItemDetail> {
  const { actor, db } = ctx;
  await requireReviewer(ctx);
  const detail = await reviewItemDetail(db, id);
  const { item } = detail;
  await recordRead(db, actor, {
    kind: "review_item",
    itemId: item.id,
    number: item.number,
    answerSeq: detail.answerSeq,
    askerId: item.asker.id,
    conversationId: item.conversationId,
  });
  return detail;
}

const TRANSITIONS: Record<
  ReviewDecision,
  { from: ReviewStatus[]; to: ReviewStatus; event: "review.resolved" | "review.escalated" | "review.reopened" }
> = {
  correct: { from: ["open", "escalated"], to: "resolved", event: "review.resolved" },
  incorrect: { from: ["open", "escalated"], to: "resolved", event: "review.resolved" },
  escalate: { from: ["open", "resolved"], to: "escalated", event: "review.escalated" },
  reopen: { from: ["resolved", "escalated"], to: "open", event: "review.reopened" },
};

const REFUSED: Record<ReviewDecision, string> = {
  correct: "This item is already resolved; reopen it first to decide again.",
  incorrect: "This item is already resolved; reopen it first to decide again.",
  escalate: "This item is already escalated.",
  reopen: "This item is already open.",
};

/** A reviewer's decision on an item: kept in its history and recorded in the audit trail, together. */
export async function decideReviewItem(
  ctx: ServiceContext,
  id: string,
  input: ReviewDecisionInput,
): Promise<ReviewItemJson> {
  const { actor, db } = ctx;
  await requireReviewer(ctx);
  await requireItem(db, id);
  const rule = TRANSITIONS[input.decision];
  await db.transaction(async (tx) => {
    // Read again under the lock: the state decides what is allowed.
    const item = (await lockReviewItem(tx, { id }))!;
    const before = item.status as ReviewStatus;
    if (!rule.from.includes(before)) throw new AppError("conflict", REFUSED[input.decision]);
    const resolution = rule.to === "resolved" ? input.decision : null;
    await updateReviewItemStatus(tx, { id, status: rule.to, resolution });
    await insertReviewAction(tx, {
      itemId: id,
      decision: input.decision,
      note: input.note,
      statusAfter: rule.to,
      actorId: actor.id,
      actorEmail: actor.email,
    });
    await appendAudit(tx, {
      type: rule.event,
      ...by(actor),
      subject: { conversationId: item.conversationId, ...(item.askerId ? { userId: item.askerId } : {}) },
      payload: {
        via: actor.via,
        itemId: id,
        number: item.number,
        messageId: item.messageId,
        conversationId: item.conversationId,
        askerEmail: item.askerEmail,
        decision: input.decision,
        note: input.note,
        statusBefore: before,
        statusAfter: rule.to,
      },
    });
  });
  return (await reviewItemDetail(db, id)).item;
}
