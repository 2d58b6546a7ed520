import "server-only";
import type { Executor } from "@/db/client";
import {
  deleteConversation,
  getAssistantMessageForUser,
  getConversationForUser,
  listMessages,
  renameConversation,
  upsertFeedback,
  type ConversationSummary,
  type MessageView,
} from "@/db/queries/conversations";
import { listConversationsForUser, listMessagesMatching } from "@/db/queries/conversation-search";
import type { Actor } from "@/lib/auth/actor";
import { appendAudit, REDACTION_MARKER } from "@/lib/audit";
import { AppError } from "@/lib/errors";
import { flagAnswer } from "@/lib/review/flag";
import type { UserReviewReason } from "@/lib/review/reasons";
import type { AnswerSentence, Citation } from "@/lib/rag/types";
import { answersWithheldFrom, WITHHELD_MARKER } from "./past-access";
import type { AnswerModel, ChatMessage, ConversationSummaryJson } from "./types";

// The asker's own conversations. Every function takes the actor and finds only what is theirs:
// someone else's conversation id answers 404, exactly like one that does not exist.

export function conversationJson(c: ConversationSummary): ConversationSummaryJson {
  return {
    id: c.id,
    title: c.title,
    collectionIds: c.collectionIds,
    asOf: c.asOf?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** A stored message for its asker; `withheld` when it drew on documents they may no longer read (past-access.ts). */
export function messageJson(m: MessageView, { withheld = false }: { withheld?: boolean } = {}): ChatMessage {
  const hidden = m.redactedAt !== null || withheld;
  return {
    id: m.id,
    role: m.role,
    content: m.redactedAt ? REDACTION_MARKER : withheld ? WITHHELD_MARKER : m.content,
    status: m.status,
    replyTo: m.replyTo,
    citations: hidden ? [] : (m.citations as Citation[]),
    sentences: hidden ? [] : (m.sentences as AnswerSentence[]),
    model: (m.model as AnswerModel | null) ?? null,
    collectionIds: m.collectionIds,
    finishReason: m.finishReason,
    notCovered: m.notCovered,
    createdAt: m.createdAt.toISOString(),
    completedAt: m.completedAt?.toISOString() ?? null,
    redacted: m.redactedAt !== null,
    withheld: withheld && m.redactedAt === null,
    asOf: m.asOf?.toISOString() ?? null,
    supersededBy: m.supersededBy,
    feedback:
      m.rating === null
        ? null
        : {
            rating: m.rating,
            comment: m.feedbackComment ?? "",
            reason: (m.feedbackReason as UserReviewReason | null) ?? null,
          },
  };
}

export const CONVERSATION_PAGE_SIZE = 30;

/** A page cursor: opaque to clients, the keyset of the last conversation on the page before. */
function encodeCursor(row: { sortKey: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.sortKey, row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { sortKey: string; id: string } {
  try {
    const [sortKey, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (
      typeof sortKey === "string" &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(sortKey) &&
      typeof id === "string" &&
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    )
      return { sortKey, id };
  } catch (err) {
    throw new AppError(
      "invalid_request",
      "Invalid query: cursor is not one this server gave out; start again without it.",
      {
        cause: err,
      },
    );
  }
  throw new AppError(
    "invalid_request",
    "Invalid query: cursor is not one this server gave out; start again without it.",
  );
}

/**
 * The asker's own conversations, most recently active first, a page at a time; with `q`, only
 * those whose title or messages contain it (case-insensitive). `nextCursor` fetches the page after.
 */
export async function listMyConversations(
  db: Executor,
  actor: Actor,
  opts: { q?: string; cursor?: string; limit?: number } = {},
): Promise<{ conversations: ConversationSummaryJson[]; nextCursor: string | null }> {
  const limit = opts.limit ?? CONVERSATION_PAGE_SIZE;
  const rows = await listConversationsForUser(db, {
    userId: actor.id,
    limit: limit + 1,
    search: opts.q || undefined,
    after: opts.cursor ? decodeCursor(opts.cursor) : undefined,
  });
  const page = rows.slice(0, limit);
  const shown = opts.q ? await withoutWithheldMatches(db, actor, page, opts.q) : page;
  return {
    conversations: shown.map(conversationJson),
    // From the page as read, so that the next page starts where this one ended.
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
  };
}

/**
 * A search must not find a conversation by words it no longer shows: one found only through
 * answers that are now withheld (lib/chat/past-access.ts) is left out of the results.
 */
async function withoutWithheldMatches<T extends { id: string; title: string }>(
  db: Executor,
  actor: Actor,
  page: T[],
  q: string,
): Promise<T[]> {
  const needle = q.toLowerCase();
  const byTitle = new Set(page.filter((c) => c.title.toLowerCase().includes(needle)).map((c) => c.id));
  const matches = await listMessagesMatching(db, {
    userId: actor.id,
    conversationIds: page.filter((c) => !byTitle.has(c.id)).map((c) => c.id),
    search: q,
  });
  const withheld = await answersWithheldFrom(db, actor.id, matches);
  const visible = new Set(matches.filter((m) => !withheld.has(m.id)).map((m) => m.conversationId));
  return page.filter((c) => byTitle.has(c.id) || visible.has(c.id));
}

export async function readMyConversation(db: Executor, actor: Actor, id: string) {
  const conversation = await getConversationForUser(db, { id, userId: actor.id });
  if (!conversation) throw new AppError("not_found", "No conversation with this id.");
  const messages = await listMessages(db, { conversationId: id, userId: actor.id });
  const withheld = await answersWithheldFrom(db, actor.id, messages);
  return {
    conversation: conversationJson(conversation),
    messages: messages.map((m) => messageJson(m, { withheld: withheld.has(m.id) })),
  };
}

export async function renameMyConversation(db: Executor, actor: Actor, id: string, title: string) {
  if (!(await renameConversation(db, { id, userId: actor.id, title })))
    throw new AppError("not_found", "No conversation with this id.");
}

export async function deleteMyConversation(db: Executor, actor: Actor, id: string) {
  if (!(await deleteConversation(db, { id, userId: actor.id })))
    throw new AppError("not_found", "No conversation with this id.");
}

/**
 * Thumbs up or down on one of the asker's own answers; a second rating replaces the first. A
 * thumbs down with a reason also puts the answer in the review queue (the comment stays with the
 * feedback, where retention can reach it).
 */
export async function rateMyAnswer(
  db: Executor,
  actor: Actor,
  messageId: string,
  input: { rating: 1 | -1; comment: string; reason?: UserReviewReason },
) {
  const message = await getAssistantMessageForUser(db, { id: messageId, userId: actor.id });
  if (!message) throw new AppError("not_found", "No answer with this id.");
  if (message.status === "streaming")
    throw new AppError("conflict", "This answer is still being written; rate it when it is finished.");
  const reason = input.reason ?? null;
  const review = await db.transaction(async (tx) => {
    await upsertFeedback(tx, { messageId, userId: actor.id, rating: input.rating, comment: input.comment, reason });
    const flagged = reason
      ? await flagAnswer(tx, {
          messageId,
          conversationId: message.conversationId,
          asker: { id: actor.id, email: actor.email },
          flags: [{ source: "user", reason, createdBy: actor.id }],
        })
      : null;
    await appendAudit(tx, {
      type: "feedback.given",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { conversationId: message.conversationId, userId: actor.id },
      payload: {
        messageId,
        conversationId: message.conversationId,
        rating: input.rating,
        reason,
        comment: input.comment,
        reviewItem: flagged?.number ?? null,
      },
    });
    return flagged;
  });
  return {
    messageId,
    conversationId: message.conversationId,
    rating: input.rating,
    comment: input.comment,
    reason,
    inReview: review !== null,
  };
}
