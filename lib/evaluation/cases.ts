import "server-only";
import {
  deleteEvaluationCase,
  getMinRecall,
  insertEvaluationCases,
  listActiveDocumentNames,
  listEvaluationCases,
  listEvaluationRuns,
  setMinRecall,
} from "@/db/queries/evaluations";
import { appendAudit } from "@/lib/audit/log";
import { AppError } from "@/lib/errors";
import { actorIdOf, authorizeEvaluation, type EvaluationContext } from "./access";
import { MAX_CASES, type GoldenCase } from "./golden";
import { normalizeName } from "./score";

// The golden set of a collection: kept by those who manage it, each change on the audit trail.

const RUNS_SHOWN = 20;

function auditFields(ctx: EvaluationContext) {
  return {
    actorId: actorIdOf(ctx),
    actorEmail: ctx.actor === "cli" ? null : ctx.actor.email,
  };
}

export async function getEvaluation(ctx: EvaluationContext, collectionId: string) {
  const collection = await authorizeEvaluation(ctx, collectionId);
  const [cases, minRecall, runs, names] = await Promise.all([
    listEvaluationCases(ctx.db, { collectionId }),
    getMinRecall(ctx.db, { collectionId }),
    listEvaluationRuns(ctx.db, { collectionId, limit: RUNS_SHOWN }),
    listActiveDocumentNames(ctx.db, { collectionId }),
  ]);
  // Names only (what a golden question may expect), never content.
  const documents = [...names.values()].sort((a, b) => a.localeCompare(b));
  return { collection: { id: collection.id, name: collection.name }, cases, minRecall, runs, documents };
}

/** Adds golden questions; every expected document must exist in the collection now. */
export async function addEvaluationCases(ctx: EvaluationContext, collectionId: string, cases: GoldenCase[]) {
  const collection = await authorizeEvaluation(ctx, collectionId);
  if (cases.length === 0) throw new AppError("invalid_request", "Give at least one question.");
  const names = new Set([...(await listActiveDocumentNames(ctx.db, { collectionId })).values()].map(normalizeName));
  const unknown = [
    ...new Set(cases.flatMap((c) => c.expected.map((e) => e.document)).filter((d) => !names.has(normalizeName(d)))),
  ];
  if (unknown.length > 0)
    throw new AppError(
      "invalid_request",
      `The collection "${collection.name}" has no document named ${unknown.map((d) => `"${d}"`).join(", ")}.`,
    );
  return ctx.db.transaction(async (tx) => {
    const existing = await listEvaluationCases(tx, { collectionId });
    if (existing.length + cases.length > MAX_CASES)
      throw new AppError(
        "invalid_request",
        `A golden set holds at most ${MAX_CASES} questions; this one has ${existing.length}.`,
      );
    const rows = await insertEvaluationCases(
      tx,
      cases.map((c) => ({ collectionId, question: c.question, expected: c.expected, createdBy: actorIdOf(ctx) })),
    );
    await appendAudit(tx, {
      type: "evaluation.changed",
      ...auditFields(ctx),
      subject: { collectionId },
      payload: { action: "questions_added", count: rows.length, caseIds: rows.map((r) => r.id) },
    });
    return rows;
  });
}

export async function removeEvaluationCase(ctx: EvaluationContext, collectionId: string, caseId: string) {
  await authorizeEvaluation(ctx, collectionId);
  return ctx.db.transaction(async (tx) => {
    const removed = await deleteEvaluationCase(tx, { collectionId, id: caseId });
    if (!removed) throw new AppError("not_found", "No golden question with this id in this collection.");
    await appendAudit(tx, {
      type: "evaluation.changed",
      ...auditFields(ctx),
      subject: { collectionId },
      payload: { action: "question_removed", caseId },
    });
    return removed;
  });
}

export async function changeMinRecall(ctx: EvaluationContext, collectionId: string, minRecall: number) {
  await authorizeEvaluation(ctx, collectionId);
  if (!(minRecall >= 0 && minRecall <= 1))
    throw new AppError("invalid_request", "The pass mark must be between 0 and 1.");
  await ctx.db.transaction(async (tx) => {
    const before = await getMinRecall(tx, { collectionId });
    await setMinRecall(tx, { collectionId, minRecall });
    await appendAudit(tx, {
      type: "evaluation.changed",
      ...auditFields(ctx),
      subject: { collectionId },
      payload: { action: "pass_mark_changed", before, after: minRecall },
    });
  });
  return { minRecall };
}
