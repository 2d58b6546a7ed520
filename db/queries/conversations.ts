import "server-only";
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { conversations, messageFeedback, messages, type MessageStatus } from "../schema";

// Every read takes the owner's id: a conversation is only ever found for the user it belongs to,
// so a guessed id answers exactly like a missing one.

export interface ConversationSummary {
  id: string;
  title: string;
  collectionIds: string[];
  asOf: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const summaryColumns = {
  id: conversations.id,
  title: conversations.title,
  collectionIds: conversations.collectionIds,
  asOf: conversations.asOf,
  createdAt: conversations.createdAt,
  updatedAt: conversations.updatedAt,
};

export async function getConversationForUser(
  db: Executor,
  { id, userId }: { id: string; userId: string },
): Promise<ConversationSummary | null> {
  const [row] = await db
    .select(summaryColumns)
    .from(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)));
  return row ?? null;
}

export async function insertConversation(
  db: Executor,
  input: { userId: string; title: string; collectionIds: string[]; asOf?: Date | null },
) {
  const [row] = await db.insert(conversations).values(input).returning(summaryColumns);
  if (!row) throw new Error("insert into conversations returned no row");
  return row;
}

export async function touchConversation(
  db: Executor,
  { id, collectionIds, asOf }: { id: string; collectionIds: string[]; asOf: Date | null },
) {
  await db.update(conversations).set({ updatedAt: new Date(), collectionIds, asOf }).where(eq(conversations.id, id));
}

export async function renameConversation(
  db: Executor,
  { id, userId, title }: { id: string; userId: string; title: string },
): Promise<boolean> {
  const rows = await db
    .update(conversations)
    .set({ title })
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

export async function deleteConversation(
  db: Executor,
  { id, userId }: { id: string; userId: string },
): Promise<boolean> {
  const rows = await db
    .delete(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

export interface MessageView {
  id: string;
  conversationId: string;
  role: "user" | "assistant";
  content: string;
  status: MessageStatus;
  replyTo: string | null;
  citations: unknown;
  sentences: unknown;
  /** RetrievedRef[]: the passages the answer's prompt carried. */
  retrieved: unknown;
  model: unknown;
  collectionIds: string[];
  finishReason: string | null;
  notCovered: boolean;
  createdAt: Date;
  completedAt: Date | null;
  redactedAt: Date | null;
  asOf: Date | null;
  supersededBy: string | null;
  /** The viewer's own rating, if any. */
  rating: number | null;
  feedbackComment: string | null;
  feedbackReason: string | null;
}

/** The conversation's messages, oldest first, with the owner's feedback on each. */
export async function listMessages(
  db: Executor,
  { conversationId, userId }: { conversationId: string; userId: string },
): Promise<MessageView[]> {
  return db
    .select({
      id: messages.id,
      conversationId: messages.conversationId,
      role: messages.role,
      content: messages.content,
      status: messages.status,
      replyTo: messages.replyTo,
      citations: messages.citations,
      sentences: messages.sentences,
      retrieved: messages.retrieved,
      model: messages.model,
      collectionIds: messages.collectionIds,
      finishReason: messages.finishReason,
      notCovered: messages.notCovered,
      createdAt: messages.createdAt,
      completedAt: messages.completedAt,
      redactedAt: messages.redactedAt,
      asOf: messages.asOf,
      supersededBy: messages.supersededBy,
      rating: messageFeedback.rating,
      feedbackComment: messageFeedback.comment,
      feedbackReason: messageFeedback.reason,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(messageFeedback, and(eq(messageFeedback.messageId, messages.id), eq(messageFeedback.userId, userId)))
    .where(and(eq(messages.conversationId, conversationId), eq(conversations.userId, userId)))
    .orderBy(asc(messages.createdAt), sql`case when ${messages.role} = 'user' then 0 else 1 end`);
}

/** The turns a new question continues from: finished exchanges only, oldest first, without replaced ones. */
export async function listHistoryTurns(
  db: Executor,
  { conversationId, limit = 40 }: { conversationId: string; limit?: number },
) {
  const rows = await db
    .select({
      id: messages.id,
      role: messages.role,
      content: messages.content,
      status: messages.status,
      replyTo: messages.replyTo,
      redactedAt: messages.redactedAt,
      retrieved: messages.retrieved,
      citations: messages.citations,
    })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), isNull(messages.supersededBy)))
    .orderBy(desc(messages.createdAt), sql`case when ${messages.role} = 'user' then 1 else 0 end`)
    .limit(limit);
  return rows.reverse();
}

export async function insertMessage(
  db: Executor,
  input: {
    conversationId: string;
    role: "user" | "assistant";
    content: string;
    status?: MessageStatus;
    replyTo?: string | null;
    collectionIds?: string[];
    asOf?: Date | null;
  },
) {
  const [row] = await db.insert(messages).values(input).returning({ id: messages.id, createdAt: messages.createdAt });
  if (!row) throw new Error("insert into messages returned no row");
  return row;
}

export async function completeMessage(
  db: Executor,
  input: {
    id: string;
    content: string;
    status: MessageStatus;
    citations: unknown;
    sentences: unknown;
    retrieved: unknown;
    model: unknown;
    finishReason: string;
    notCovered: boolean;
    error?: string | null;
  },
) {
  const { id, ...values } = input;
  await db
    .update(messages)
    .set({ ...values, completedAt: new Date() })
    .where(eq(messages.id, id));
}

/**
 * The newest exchange of the owner's conversation that nothing replaced: the question and its
 * current answer (null while none was stored), or null for an empty or someone else's conversation.
 */
export async function getLatestExchange(
  db: Executor,
  { conversationId, userId }: { conversationId: string; userId: string },
) {
  const rows = await db
    .select({
      id: messages.id,
      role: messages.role,
      content: messages.content,
      status: messages.status,
      replyTo: messages.replyTo,
      asOf: messages.asOf,
      collectionIds: messages.collectionIds,
      redactedAt: messages.redactedAt,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(eq(messages.conversationId, conversationId), eq(conversations.userId, userId), isNull(messages.supersededBy)),
    )
    .orderBy(desc(messages.createdAt), sql`case when ${messages.role} = 'user' then 1 else 0 end`)
    .limit(2);
  const question = rows.find((r) => r.role === "user");
  if (!question) return null;
  const answer = rows.find((r) => r.role === "assistant" && r.replyTo === question.id) ?? null;
  return { question, answer };
}

/** Marks messages as replaced by a newer one (an edited question, a regenerated answer). */
export async function supersedeMessage(db: Executor, { id, by }: { id: string; by: string }) {
  await db
    .update(messages)
    .set({ supersededBy: by })
    .where(and(eq(messages.id, id), isNull(messages.supersededBy)));
}

/** An assistant message of the user's, with the question it answers, or null. */
export async function getAssistantMessageForUser(db: Executor, { id, userId }: { id: string; userId: string }) {
  const [row] = await db
    .select({
      id: messages.id,
      conversationId: messages.conversationId,
      status: messages.status,
      replyTo: messages.replyTo,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.id, id), eq(messages.role, "assistant"), eq(conversations.userId, userId)));
  return row ?? null;
}

export async function upsertFeedback(
  db: Executor,
  input: { messageId: string; userId: string; rating: 1 | -1; comment: string; reason: string | null },
) {
  await db
    .insert(messageFeedback)
    .values(input)
    .onConflictDoUpdate({
      target: [messageFeedback.messageId, messageFeedback.userId],
      set: { rating: input.rating, comment: input.comment, reason: input.reason, updatedAt: new Date() },
    });
}

/** Messages left "streaming" by a process that died; marked failed at start-up or on read. */
export async function failStaleStreamingMessages(db: Executor, { olderThan }: { olderThan: Date }): Promise<number> {
  const rows = await db
    .update(messages)
    .set({ status: "failed", error: "The answer was interrupted.", completedAt: new Date() })
    .where(and(eq(messages.status, "streaming"), sql`${messages.createdAt} < ${olderThan}`))
    .returning({ id: messages.id });
  return rows.length;
}
