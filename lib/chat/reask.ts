import "server-only";
import { randomUUID } from "node:crypto";
import type { Database } from "@/db/client";
import { getAuditEventBySeq } from "@/db/queries/audit";
import { appendAudit, type AuditEventInput } from "@/lib/audit";
import { eventView, readablePayload } from "@/lib/audit/rows";
import { resolveReadScope } from "@/lib/auth/access";
import { actorFromUserId, hasRole, type Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { prepareAnswer, type AskDeps } from "./ask";
import type { ExchangeSink } from "./exchange";
import { questionAnsweredEvent, questionFailedEvent } from "./record";
import type { FinalAnswer, ReaskView } from "./types";

// Compliance re-asks a recorded question as of the moment it was first asked (or the "as of" date
// it was asked for), to see what the assistant answers from the versions then in effect beside
// what it answered at the time. Whose access: the original asker's read scope as it is now
// (grants, groups and restrictions from the database), limited to the collections the original
// question searched, so a re-ask never shows the reviewer more than the asker may read today nor
// searches wider than the question did. Nothing is written to the asker's conversation; the re-ask
// is one `question.reasked` event by the reviewer, naming the original event and the asker.

export interface ReaskOutcome {
  originalSeq: number;
  asker: { id: string; email: string };
  /** The moment the question was re-asked for (ISO). */
  asOf: string;
  collections: { id: string; name: string }[];
  /** Null when answering failed; `error` then says why. */
  final: FinalAnswer | null;
  error: string | null;
}

function reaskEvent(base: AuditEventInput, reviewer: Actor, originalSeq: number, asker: Actor): AuditEventInput {
  return {
    ...base,
    type: "question.reasked",
    actorId: reviewer.id,
    actorEmail: reviewer.email,
    payload: { ...base.payload, originalSeq, asker: { id: asker.id, email: asker.email }, via: reviewer.via },
  };
}

/** Keeps a re-ask in the audit trail only: no conversation, no message, no review item. */
function reaskSink(reviewer: Actor, originalSeq: number, conversationId: string): ExchangeSink {
  return {
    open: async (_db, input) => ({
      conversationId,
      questionId: randomUUID(),
      messageId: randomUUID(),
      title: "",
      question: input.question.stored,
      collections: input.collections,
      asOf: input.asOf,
    }),
    finish: async (db, e) => {
      await appendAudit(db, reaskEvent(questionAnsweredEvent(e), reviewer, originalSeq, e.actor));
    },
    fail: async (db, e) => {
      await appendAudit(db, reaskEvent(questionFailedEvent(e), reviewer, originalSeq, e.actor));
    },
  };
}

export async function reaskRecordedQuestion(
  { actor, deps }: { actor: Actor; deps: AskDeps },
  seq: number,
): Promise<ReaskOutcome> {
  if (!hasRole(actor, "compliance")) throw new AppError("forbidden", "You do not have permission to do this.");
  const { db } = deps;
  const row = await getAuditEventBySeq(db, { seq });
  if (!row) throw new AppError("not_found", `No audit event ${seq}.`);
  const view = eventView(row);
  if (view.type !== "question.answered")
    throw new AppError("invalid_request", `Event ${seq} is a ${view.type}; only a recorded question can be re-asked.`);
  if (view.redactedAt)
    throw new AppError("conflict", `Retention redacted the question of event ${seq}; it cannot be asked again.`);
  const p = readablePayload(view);
  const question = typeof p.question === "string" ? p.question : "";
  if (!question.trim()) throw new AppError("conflict", `Event ${seq} records no question text to ask again.`);
  if (!view.actorId) throw new AppError("conflict", `Event ${seq} names no asker whose access could apply.`);
  const asker = await actorFromUserId(db, view.actorId);
  if (!asker)
    throw new AppError(
      "conflict",
      "The asker's account is disabled or deleted, so their access cannot be applied; the question is not re-asked.",
    );
  const searched = Array.isArray(p.allowedCollections)
    ? (p.allowedCollections as { id?: unknown }[]).map((c) => String(c.id))
    : [];
  const scope = await resolveReadScope(db as Database, asker);
  const collectionIds = searched.filter((id) => scope.collectionIds.includes(id));
  if (collectionIds.length === 0)
    throw new AppError(
      "conflict",
      "The asker can no longer read any of the collections this question searched, so there is nothing to re-ask it against.",
    );
  const asOf = typeof p.asOf === "string" && p.asOf ? p.asOf : view.at;
  const conversationId = typeof p.conversationId === "string" ? p.conversationId : randomUUID();
  const sink = reaskSink(actor, seq, conversationId);
  const prepared = await prepareAnswer(
    deps,
    asker,
    // Re-asked on its own: a follow-up's earlier turns are not replayed.
    { message: question, asOf, collectionIds, history: [] },
    {
      sink,
      onRefused: async (err) => {
        await appendAudit(db, {
          type: "question.reasked",
          actorId: actor.id,
          actorEmail: actor.email,
          subject: { userId: asker.id, conversationId },
          payload: {
            originalSeq: seq,
            asker: { id: asker.id, email: asker.email },
            question,
            asOf,
            refused: { code: err.code, message: err.message },
            via: actor.via,
          },
        });
      },
    },
  );
  let error: string | null = null;
  const final = await prepared.run((e) => {
    if (e.event === "error") error = e.data.message;
  }, new AbortController().signal);
  return {
    originalSeq: seq,
    asker: { id: asker.id, email: asker.email },
    asOf: final?.asOf ?? asOf,
    collections: scope.collections.filter((c) => collectionIds.includes(c.id)).map((c) => ({ id: c.id, name: c.name })),
    final,
    error,
  };
}

/** What the console shows of a re-ask: the answer, its citations with their versions, and the versions that applied. */
export function reaskJson(o: ReaskOutcome): ReaskView {
  const f = o.final;
  return {
    originalSeq: o.originalSeq,
    asker: o.asker.email,
    asOf: o.asOf,
    collections: o.collections.map((c) => c.name),
    error: o.error,
    answer: f?.answer ?? null,
    notCovered: f?.notCovered ?? false,
    versionsApplied: f?.versionsApplied ?? [],
    laterVersions: f?.laterVersions ?? [],
    citations: (f?.citations ?? []).map((c) => ({
      n: c.n,
      title: c.title,
      versionNumber: c.versionNumber,
      headingPath: c.headingPath,
      pageStart: c.pageStart,
      effectiveFrom: c.effectiveFrom ?? null,
      effectiveUntil: c.effectiveUntil ?? null,
      text: c.text,
    })),
  };
}
