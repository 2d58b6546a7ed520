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
import { supersede } from "./revise";
import { answersWithheldFrom } from "./past-access";
import type { ChatMeta, ChatRevision, FinalAnswer } from "./types";

// What one question leaves in the database, apart from the path that answers it (lib/chat/ask.ts):
// the conversation and its two messages when it starts, the earlier turns it builds on, and at the
// end either the answer with its record and review flags or the failure with its record.

const TITLE_LENGTH = 80;

export interface OpenExchangeInput {
  actor: Actor;
  question: ScreenedQuestion;
  conversationId?: string;
  collectionIds: string[];
  collections: ChatMeta["collections"];
  asOf: string | null;
  /** The answer replaces an earlier one of the latest exchange (lib/chat/revise.ts). */
  revision?: ChatRevision;
}

/**
 * Where an answer is kept. The chat keeps it in the asker's conversation (below); a compliance
 * re-ask (lib/chat/reask.ts) keeps it in the audit trail only, never in the asker's conversation.
 */
export interface ExchangeSink {
  open(db: Database, input: OpenExchangeInput): Promise<ChatMeta>;
  finish(
    db: Database,
    e: Exchange & { final: FinalAnswer; flags: GuardFlag[]; promptSha256: string | null },
  ): Promise<void>;
  fail(db: Database, e: Exchange & { error: string }): Promise<void>;
}

/** Opens the exchange: the conversation (new, or the asker's own), the question and an empty answer being streamed. */
export async function openExchange(db: Database, input: OpenExchangeInput): Promise<ChatMeta> {
  const { actor, question, collectionIds, revision } = input;
  const asOf = input.asOf ? new Date(input.asOf) : null;
  return db.transaction(async (tx) => {
    let conversationId = input.conversationId;
    let title: string;
    if (conversationId) {
      // Checked in prepareAnswer; checked again here because it may have been deleted since.
      const existing = await getConversationForUser(tx, { id: conversationId, userId: actor.id });
      if (!existing) throw new AppError("not_found", "No conversation with this id.");
      title = existing.title;
      await touchConversation(tx, { id: conversationId, collectionIds, asOf });
    } else {
      const stored = question.stored;
      title = stored.length > TITLE_LENGTH ? `${stored.slice(0, TITLE_LENGTH - 1).trimEnd()}…` : stored;
      conversationId = (await insertConversation(tx, { userId: actor.id, title, collectionIds, asOf })).id;
    }
    // Regenerating answers the stored question again; everything else stores a new question.
    const q =
      revision?.kind === "regenerate"
        ? { id: revision.questionId }
        : await insertMessage(tx, { conversationId, role: "user", content: question.stored, collectionIds, asOf });
    const a = await insertMessage(tx, {
      conversationId,
      role: "assistant",
      content: "",
      status: "streaming",
      replyTo: q.id,
      collectionIds,
      asOf,
    });
    if (revision) await supersede(tx, revision, { questionId: q.id, answerId: a.id });
    return {
      conversationId,
      questionId: q.id,
      messageId: a.id,
      title,
      question: question.stored,
      collections: input.collections,
      asOf: input.asOf,
      ...(revision ? { revision } : {}),
    };
  });
}

/**
 * Earlier finished exchanges of this conversation (not the question being answered now). An
 * exchange whose answer drew on documents the asker may no longer read is left out: the model is
 * not sent what the asker could not be shown.
 */
export async function exchangeHistory(db: Database, meta: ChatMeta, actor: Pick<Actor, "id">): Promise<ChatTurn[]> {
  const rows = await listHistoryTurns(db, { conversationId: meta.conversationId });
  const withheld = await answersWithheldFrom(db, actor.id, rows);
  const answered = new Map(
    rows
      .filter((r) => r.role === "assistant" && r.status === "complete" && !r.redactedAt && !withheld.has(r.id))
      .map((r) => [r.replyTo, r]),
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

/** The chat's sink: the asker's conversation, its record and the review queue. */
export const conversationSink: ExchangeSink = { open: openExchange, finish: finishExchange, fail: failExchange };
