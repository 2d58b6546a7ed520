import "server-only";
import type { Executor } from "@/db/client";
import { getConversationForUser, getLatestExchange, supersedeMessage } from "@/db/queries/conversations";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import type { ChatRevision } from "./types";

// Regenerating an answer and editing a question (issue 16). Both act on the latest exchange of a
// conversation only: a later exchange was asked in the light of the earlier answer, so replacing
// one in the middle would leave the rest answering something no longer shown. Nothing is deleted:
// the replaced message is marked superseded by the new one, stays in the conversation (shown as an
// earlier version) and its question.answered record stays in the audit trail.

export interface RevisionTarget extends ChatRevision {
  /** The stored question (masked as stored), asked again when regenerating. */
  question: string;
  /** The "as of" moment of the question being revised (ISO), or null. */
  asOf: string | null;
}

export async function findRevision(
  db: Executor,
  actor: Actor,
  input: { conversationId?: string; regenerate?: string; editOf?: string },
): Promise<RevisionTarget | null> {
  if (!input.regenerate && !input.editOf) return null;
  if (!input.conversationId)
    throw new AppError("invalid_request", "conversationId is required to regenerate an answer or edit a question.");
  const conversation = await getConversationForUser(db, { id: input.conversationId, userId: actor.id });
  if (!conversation) throw new AppError("not_found", "No conversation with this id.");
  const latest = await getLatestExchange(db, { conversationId: conversation.id, userId: actor.id });
  if (input.regenerate) {
    if (!latest?.answer || latest.answer.id !== input.regenerate.toLowerCase())
      throw new AppError(
        "conflict",
        "Only the latest answer of a conversation can be regenerated; this one is not it (or was already replaced).",
      );
  } else if (!latest || latest.question.id !== input.editOf!.toLowerCase()) {
    throw new AppError(
      "conflict",
      "Only the latest question of a conversation can be edited; this one is not it (or was already replaced).",
    );
  }
  if (latest.answer?.status === "streaming")
    throw new AppError("conflict", "This answer is still being written; wait for it or stop it first.");
  if (latest.question.redactedAt)
    throw new AppError("conflict", "Retention redacted this question; ask it again as a new question.");
  return {
    kind: input.regenerate ? "regenerate" : "edit",
    questionId: latest.question.id,
    answerId: latest.answer?.id ?? null,
    question: latest.question.content,
    asOf: latest.question.asOf?.toISOString() ?? null,
  };
}

/** Inside the transaction that stores the new messages: the replaced ones point to their successors. */
export async function supersede(
  tx: Executor,
  revision: ChatRevision,
  next: { questionId: string; answerId: string },
): Promise<void> {
  if (revision.kind === "edit") await supersedeMessage(tx, { id: revision.questionId, by: next.questionId });
  if (revision.answerId) await supersedeMessage(tx, { id: revision.answerId, by: next.answerId });
}
