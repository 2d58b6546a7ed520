import "server-only";
import type { Executor } from "@/db/client";
import {
  deleteConversation,
  getAssistantMessageForUser,
  getConversationForUser,
  listConversationsForUser,
  listMessages,
  renameConversation,
  upsertFeedback,
  type ConversationSummary,
  type MessageView,
} from "@/db/queries/conversations";
import type { Actor } from "@/lib/auth/actor";
import { appendAudit, REDACTION_MARKER } from "@/lib/audit";
import { AppError } from "@/lib/errors";
import { flagAnswer } from "@/lib/review/flag";
import type { UserReviewReason } from "@/lib/review/reasons";
import type { AnswerSentence, Citation } from "@/lib/rag/types";
import type { AnswerModel, ChatMessage, ConversationSummaryJson } from "./types";

// The asker's own conversations. Every function takes the actor and finds only what is theirs:
// someone else's conversation id answers 404, exactly like one that does not exist.

export function conversationJson(c: ConversationSummary): ConversationSummaryJson {
  return {
    id: c.id,
    title: c.title,
    collectionIds: c.collectionIds,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function messageJson(m: MessageView): ChatMessage {
  return {
    id: m.id,
    role: m.role,
    content: m.redactedAt ? REDACTION_MARKER : m.content,
    status: m.status,
    replyTo: m.replyTo,
    citations: m.redactedAt ? [] : (m.citations as Citation[]),
    sentences: m.redactedAt ? [] : (m.sentences as AnswerSentence[]),
    model: (m.model as AnswerModel | null) ?? null,
    collectionIds: m.collectionIds,
    finishReason: m.finishReason,
    notCovered: m.notCovered,
    createdAt: m.createdAt.toISOString(),
    completedAt: m.completedAt?.toISOString() ?? null,
    redacted: m.redactedAt !== null,
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

export async function listMyConversations(db: Executor, actor: Actor) {
  return (await listConversationsForUser(db, { userId: actor.id })).map(conversationJson);
}

export async function readMyConversation(db: Executor, actor: Actor, id: string) {
  const conversation = await getConversationForUser(db, { id, userId: actor.id });
  if (!conversation) throw new AppError("not_found", "No conversation with this id.");
  const messages = await listMessages(db, { conversationId: id, userId: actor.id });
  return { conversation: conversationJson(conversation), messages: messages.map(messageJson) };
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
