import "server-only";
import type { Database } from "@/db/client";
import {
  completeMessage,
  getConversationForUser,
  insertConversation,
  insertMessage,
  listHistoryTurns,
  touchConversation,
} from "@/db/queries/conversations";
import { appendAudit } from "@/lib/audit";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { ChatTurn } from "@/lib/models/generator";
import { flagAnswer } from "@/lib/review/flag";
import type { GuardFlag, ScreenedQuestion } from "./guard";
import { questionAnsweredEvent, questionFailedEvent, type Exchange } from "./record";
import type { ChatMeta, FinalAnswer } from "./types";

// What one question leaves in the database, apart from the path that answers it (lib/chat/ask.ts):
// the conversation and its two messages when it starts, the earlier turns it builds on, and at the
// end either the answer with its record and review flags or the failure with its record.

const TITLE_LENGTH = 80;

/** Opens the exchange: the conversation (new, or the asker's own), the question and an empty answer being streamed. */
export async function openExchange(
  db: Database,
  input: {
    actor: Actor;
    question: ScreenedQuestion;
    conversationId?: string;
    collectionIds: string[];
    collections: ChatMeta["collections"];
    asOf: string | null;
  },
): Promise<ChatMeta> {
  const { actor, question, collectionIds } = input;
  return db.transaction(async (tx) => {
    let conversationId = input.conversationId;
    let title: string;
    if (conversationId) {
      // Checked in prepareAnswer; checked again here because it may have been deleted since.
      const existing = await getConversationForUser(tx, { id: conversationId, userId: actor.id });
      if (!existing) throw new AppError("not_found", "No conversation with this id.");
      title = existing.title;
      await touchConversation(tx, { id: conversationId, collectionIds });
    } else {
      const stored = question.stored;
      title = stored.length > TITLE_LENGTH ? `${stored.slice(0, TITLE_LENGTH - 1).trimEnd()}…` : stored;
      conversationId = (await insertConversation(tx, { userId: actor.id, title, collectionIds })).id;
    }
    const q = await insertMessage(tx, { conversationId, role: "user", content: question.stored, collectionIds });
    const a = await insertMessage(tx, {
      conversationId,
      role: "assistant",
      content: "",
      status: "streaming",
      replyTo: q.id,
      collectionIds,
    });
    return {
      conversationId,
      questionId: q.id,
      messageId: a.id,
      title,
      question: question.stored,
      collections: input.collections,
      asOf: input.asOf,
    };
  });
}

/** Earlier finished exchanges of this conversation (not the question being answered now). */
export async function exchangeHistory(db: Database, meta: ChatMeta): Promise<ChatTurn[]> {
  const rows = await listHistoryTurns(db, { conversationId: meta.conversationId });
  const answered = new Map(
    rows.filter((r) => r.role === "assistant" && r.status === "complete" && !r.redactedAt).map((r) => [r.replyTo, r]),
  );
  const turns: ChatTurn[] = [];
  for (const r of rows) {
    if (r.role !== "user" || r.id === meta.questionId || r.redactedAt) continue;
    const reply = answered.get(r.id);
    if (!reply || !reply.content) continue;
    turns.push({ role: "user", content: r.content }, { role: "assistant", content: reply.content });
  }
  return turns;
}

/**
 * Stores the answer, its record and its place in the review queue in one transaction: an answer
 * that cannot be recorded is not given.
 */
export async function finishExchange(
  db: Database,
  e: Exchange & { final: FinalAnswer; flags: GuardFlag[]; promptSha256: string | null },
): Promise<void> {
  const { final } = e;
  await db.transaction(async (tx) => {
    await completeMessage(tx, {
      id: e.meta.messageId,
      content: final.answer,
      status: final.status,
      citations: final.citations,
      sentences: final.sentences,
      retrieved: e.retrieved,
      model: e.model,
      finishReason: final.finishReason,
      notCovered: final.notCovered,
    });
    await flagAnswer(tx, {
      messageId: e.meta.messageId,
      conversationId: e.meta.conversationId,
      asker: { id: e.actor.id, email: e.actor.email },
      flags: e.flags.map((f) => ({ source: "guard", reason: f.reason, details: f.details })),
    });
    await appendAudit(tx, questionAnsweredEvent(e));
  });
}

/** Marks the answer failed and records the failure, with what was retrieved before it. Never throws: the asker is told of the original error. */
export async function failExchange(db: Database, e: Exchange & { error: string }): Promise<void> {
  await db
    .transaction(async (tx) => {
      await completeMessage(tx, {
        id: e.meta.messageId,
        content: "",
        status: "failed",
        citations: [],
        sentences: [],
        retrieved: e.retrieved,
        model: null,
        finishReason: "error",
        notCovered: false,
        error: e.error,
      });
      await appendAudit(tx, questionFailedEvent(e));
    })
    .catch((err: unknown) => log.error("could not record the failed answer", { err }));
}
