import "server-only";
import type { Executor } from "@/db/client";
import { appendAudit, type AuditEventInput } from "@/lib/audit";
import type { Actor } from "@/lib/auth/actor";
import type { AppError } from "@/lib/errors";
import { questionRecord, type ScreenedQuestion } from "./guard";
import type { AnswerModel, ChatMeta, FinalAnswer, RetrievedRef } from "./types";

// What the audit trail records of a question: who asked what, which collections were searched,
// what was retrieved (with version hashes and scores), the prompt's hash, the model, the answer,
// its citations and timings. Shaped as docs/adr/0008-audit-trail.md describes `question.answered`.
// The question is recorded as stored (masked under the question policy), with the kinds of
// personal data found and any injection findings; an answer also records what the output guard
// redacted and why it went to the review queue (docs/adr/0010-question-and-answer-guards-and-review.md).

/** Who asked what, with what was retrieved and which model answered: what every question record starts from. */
export interface Exchange {
  actor: Actor;
  meta: ChatMeta;
  question: ScreenedQuestion;
  retrieved: RetrievedRef[];
  model: AnswerModel;
}

function base(e: Exchange): Omit<AuditEventInput, "payload" | "type"> {
  return {
    actorId: e.actor.id,
    actorEmail: e.actor.email,
    subject: { conversationId: e.meta.conversationId, userId: e.actor.id },
  };
}

/** The part of the record every asked question has, however it ended. */
function asked(e: Exchange) {
  return {
    conversationId: e.meta.conversationId,
    messageId: e.meta.messageId,
    question: e.question.stored,
    ...questionRecord(e.question),
    allowedCollections: e.meta.collections,
    /** The moment asked for ("as of"), or null for now. */
    asOf: e.meta.asOf ?? null,
    /** A regenerated answer or an edited question names what it replaces (which keeps its own record). */
    ...(e.meta.revision ? { revision: e.meta.revision } : {}),
    retrieved: e.retrieved,
    model: e.model,
    via: e.actor.via,
  };
}

export function questionAnsweredEvent(
  e: Exchange & { promptSha256: string | null; final: FinalAnswer },
): AuditEventInput {
  const f = e.final;
  return {
    ...base(e),
    type: "question.answered",
    payload: {
      ...asked(e),
      promptSha256: e.promptSha256,
      answer: f.answer,
      notCovered: f.notCovered,
      finishReason: f.finishReason,
      citations: f.citations,
      sentences: f.sentences,
      versionsApplied: f.versionsApplied,
      ...(f.laterVersions ? { laterVersions: f.laterVersions } : {}),
      timings: f.timings,
      guard: { redacted: f.guard.redacted, review: f.guard.review },
    },
  };
}

/** An answer that broke off with an error is recorded too: the question was asked and passages may have been read. */
export function questionFailedEvent(e: Exchange & { error: string }): AuditEventInput {
  return {
    ...base(e),
    type: "question.answered",
    payload: {
      ...asked(e),
      promptSha256: null,
      answer: "",
      notCovered: false,
      finishReason: "error",
      error: e.error,
      citations: [],
      sentences: [],
      timings: {},
    },
  };
}

/** A question turned away before anything was retrieved, with the reason the asker was given. */
export async function recordRefusal(
  db: Executor,
  actor: Actor,
  input: { question: ScreenedQuestion; conversationId?: string; collectionIds?: string[] },
  err: AppError,
): Promise<void> {
  await appendAudit(db, {
    type: "question.refused",
    actorId: actor.id,
    actorEmail: actor.email,
    subject: { userId: actor.id },
    payload: {
      question: input.question.stored,
      ...questionRecord(input.question),
      conversationId: input.conversationId ?? null,
      requestedCollections: input.collectionIds ?? [],
      reason: err.code,
      message: err.message,
      status: err.status,
      via: actor.via,
    },
  });
}
