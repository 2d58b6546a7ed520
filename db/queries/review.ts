import "server-only";
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Executor } from "../client";
import { messages, reviewActions, reviewFlags, reviewItems } from "../schema";

// The review queue's reads and writes. Items are found by id or by the answer (message) they
// are about; lib/review/queue.ts decides what may change and records it in the audit trail.

export interface ReviewItemRow {
  id: string;
  number: number;
  messageId: string;
  conversationId: string;
  askerId: string | null;
  askerEmail: string | null;
  status: string;
  resolution: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const itemColumns = {
  id: reviewItems.id,
  number: reviewItems.number,
  messageId: reviewItems.messageId,
  conversationId: reviewItems.conversationId,
  askerId: reviewItems.askerId,
  askerEmail: reviewItems.askerEmail,
  status: reviewItems.status,
  resolution: reviewItems.resolution,
  createdAt: reviewItems.createdAt,
  updatedAt: reviewItems.updatedAt,
};

/**
 * The item for an answer, locked for the rest of the transaction; created (open) when the answer
 * has none. Two flags arriving at once end up on the same item.
 */
export async function lockOrCreateReviewItem(
  db: Executor,
  input: { messageId: string; conversationId: string; askerId: string | null; askerEmail: string | null },
): Promise<{ item: ReviewItemRow; created: boolean }> {
  const inserted = await db
    .insert(reviewItems)
    .values(input)
    .onConflictDoNothing({ target: reviewItems.messageId })
    .returning(itemColumns);
  if (inserted[0]) return { item: inserted[0], created: true };
  const [row] = await db
    .select(itemColumns)
    .from(reviewItems)
    .where(eq(reviewItems.messageId, input.messageId))
    .for("update");
  if (!row) throw new Error("review item vanished between insert and select");
  return { item: row, created: false };
}

export async function lockReviewItem(db: Executor, { id }: { id: string }): Promise<ReviewItemRow | null> {
  const [row] = await db.select(itemColumns).from(reviewItems).where(eq(reviewItems.id, id)).for("update");
  return row ?? null;
}

export async function updateReviewItemStatus(
  db: Executor,
  { id, status, resolution }: { id: string; status: string; resolution: string | null },
) {
  await db.update(reviewItems).set({ status, resolution, updatedAt: new Date() }).where(eq(reviewItems.id, id));
}

export async function touchReviewItem(db: Executor, { id }: { id: string }) {
  await db.update(reviewItems).set({ updatedAt: new Date() }).where(eq(reviewItems.id, id));
}

export async function insertReviewFlags(
  db: Executor,
  rows: {
    itemId: string;
    source: "user" | "guard";
    reason: string;
    details: Record<string, unknown>;
    createdBy: string | null;
  }[],
) {
  if (rows.length > 0) await db.insert(reviewFlags).values(rows);
}

export async function insertReviewAction(
  db: Executor,
  input: {
    itemId: string;
    decision: string;
    note: string;
    statusAfter: string;
    actorId: string | null;
    actorEmail: string | null;
  },
) {
  const [row] = await db
    .insert(reviewActions)
    .values(input)
    .returning({ id: reviewActions.id, createdAt: reviewActions.createdAt });
  if (!row) throw new Error("insert into review_actions returned no row");
  return row;
}

export interface ReviewQueueRow extends ReviewItemRow {
  /** Distinct reasons of the item's flags, in the order first raised. */
  reasons: string[];
  flagCount: number;
  /** The question as stored (masked per the question policy); null once the conversation was deleted. */
  question: string | null;
}

const questionMessage = alias(messages, "question_message");
const answerMessage = alias(messages, "answer_message");

/** A page of the queue, newest item first, with each item's reasons and question (or the one item `id`). */
export async function listReviewItems(
  db: Executor,
  {
    statuses,
    reason,
    beforeNumber,
    limit,
    id,
  }: { statuses?: string[]; reason?: string; beforeNumber?: number; limit: number; id?: string },
): Promise<ReviewQueueRow[]> {
  const where: SQL[] = [];
  if (statuses) where.push(inArray(reviewItems.status, statuses));
  if (id) where.push(eq(reviewItems.id, id));
  if (reason)
    where.push(sql`exists (select 1 from review_flags f where f.item_id = ${reviewItems.id} and f.reason = ${reason})`);
  if (beforeNumber !== undefined) where.push(lt(reviewItems.number, beforeNumber));
  const rows = await db
    .select({
      ...itemColumns,
      reasons: sql<
        string[]
      >`(select coalesce(array_agg(r.reason order by r.first), '{}') from (select f.reason, min(f.seq) as first from review_flags f where f.item_id = ${reviewItems.id} group by f.reason) r)`,
      flagCount: sql<number>`(select count(*)::int from review_flags f where f.item_id = ${reviewItems.id})`,
      question: questionMessage.content,
    })
    .from(reviewItems)
    .leftJoin(answerMessage, eq(answerMessage.id, reviewItems.messageId))
    .leftJoin(questionMessage, eq(questionMessage.id, answerMessage.replyTo))
    .where(and(...where))
    .orderBy(desc(reviewItems.number))
    .limit(limit);
  return rows.map((r) => ({ ...r, question: r.question ?? null }));
}

export async function getReviewItemById(db: Executor, { id }: { id: string }): Promise<ReviewItemRow | null> {
  const [row] = await db.select(itemColumns).from(reviewItems).where(eq(reviewItems.id, id));
  return row ?? null;
}

export async function getReviewItemByMessage(
  db: Executor,
  { messageId }: { messageId: string },
): Promise<ReviewItemRow | null> {
  const [row] = await db.select(itemColumns).from(reviewItems).where(eq(reviewItems.messageId, messageId));
  return row ?? null;
}

export async function listReviewFlags(db: Executor, { itemId }: { itemId: string }) {
  return db
    .select({
      id: reviewFlags.id,
      source: reviewFlags.source,
      reason: reviewFlags.reason,
      details: reviewFlags.details,
      createdBy: reviewFlags.createdBy,
      createdAt: reviewFlags.createdAt,
    })
    .from(reviewFlags)
    .where(eq(reviewFlags.itemId, itemId))
    .orderBy(asc(reviewFlags.seq));
}

export async function listReviewActions(db: Executor, { itemId }: { itemId: string }) {
  return db
    .select({
      id: reviewActions.id,
      decision: reviewActions.decision,
      note: reviewActions.note,
      statusAfter: reviewActions.statusAfter,
      actorId: reviewActions.actorId,
      actorEmail: reviewActions.actorEmail,
      createdAt: reviewActions.createdAt,
    })
    .from(reviewActions)
    .where(eq(reviewActions.itemId, itemId))
    .orderBy(asc(reviewActions.seq));
}

/** How many items wait for a reviewer (open or escalated): the console's link shows it. */
export async function countOpenReviewItems(db: Executor): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(reviewItems)
    .where(inArray(reviewItems.status, ["open", "escalated"]));
  return row?.n ?? 0;
}
