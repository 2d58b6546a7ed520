import "server-only";
import { existsSync } from "node:fs";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { listRestrictions, listVersionTimes } from "@/db/queries/documents";
import { listCollectionsWithGoldenSets, listEvaluationRuns } from "@/db/queries/evaluations";
import { getLatestJobOfKind, insertJob } from "@/db/queries/jobs";
import { documents, type Job } from "@/db/schema";
import { appendAudit } from "@/lib/audit/log";
import { intervalMs, versionIntervals } from "@/lib/documents/effective";
import { INGEST_JOB } from "@/lib/documents/upload";
import { AppError } from "@/lib/errors";
import { scoreEvaluation, type EvaluationEngines } from "@/lib/evaluation/run";
import type { EvaluationTotals } from "@/lib/evaluation/types";
import { EVERYONE_GROUP } from "@/lib/vector/access-filter";
import {
  openStagedStore,
  promoteStagedIndex,
  stagedIndexInfo,
  stagedVersionFacts,
  type IndexLocation,
  type StagedIndexInfo,
} from "@/lib/vector/staging";
import { listPublishedVersions } from "./reindex";

// A reindex evaluated before it replaces the live index (docs/adr/0032). `reindex --stage` queues a
// job that builds every published version into a staged table with the new embedder while the live
// table keeps answering; the collections' golden sets then run against it, beside each one's last
// live run; `reindex --swap` reconciles it with the database and makes it live in one commit.

export const STAGE_JOB = "reindex.stage";

export interface StagePayload {
  /** The GGUF embedding model to stage with; null: the configured embedder. */
  embeddingModelPath: string | null;
}

export async function startStagedReindex(db: Database, input: { embeddingModelPath?: string }) {
  const modelPath = input.embeddingModelPath ?? null;
  if (modelPath !== null && !existsSync(modelPath))
    throw new AppError("invalid_request", `No embedding model at ${modelPath}.`);
  const last = await getLatestJobOfKind(db, { kind: STAGE_JOB });
  if (last && (last.status === "queued" || last.status === "running"))
    throw new AppError("conflict", `A staged reindex is already being built (job ${last.id}).`);
  const payload: StagePayload = { embeddingModelPath: modelPath };
  // One attempt: a build that fails says why, and the operator starts it again.
  const job = await insertJob(db, { kind: STAGE_JOB, payload, maxAttempts: 1 });
  return { jobId: job.id };
}

interface CompletedStage {
  info: StagedIndexInfo;
  job: Job & { startedAt: Date };
  payload: StagePayload;
}

/** The staged table, if its build finished; a build under way, failed or already swapped in is refused. */
async function completedStage(db: Database, where: IndexLocation): Promise<CompletedStage> {
  const job = await getLatestJobOfKind(db, { kind: STAGE_JOB });
  if (!job) throw new AppError("invalid_request", "Nothing is staged: run `npm run cli -- reindex --stage` first.");
  if (job.status === "queued" || job.status === "running")
    throw new AppError(
      "conflict",
      `The staged index is still being built (${Math.round(job.progress * 100)} %, job ${job.id}).`,
    );
  if (job.status !== "succeeded" || !job.startedAt)
    throw new AppError(
      "invalid_request",
      `The last staged build did not finish (${job.error ?? job.status}); run \`npm run cli -- reindex --stage\` again.`,
    );
  const info = await stagedIndexInfo(where);
  if (!info)
    throw new AppError(
      "invalid_request",
      "Nothing is staged (it was swapped in or discarded): run `npm run cli -- reindex --stage` first.",
    );
  return { info, job: job as CompletedStage["job"], payload: job.payload as StagePayload };
}

export interface StagedComparison {
  collection: { id: string; name: string };
  staged: { totals: EvaluationTotals; passed: boolean; minRecall: number };
  /** The collection's last recorded run, on the live index; null when it was never evaluated. */
  live: { totals: EvaluationTotals; passed: boolean; embedderId: string; createdAt: string } | null;
}

export interface StagedEvaluation {
  embedderId: string;
  liveEmbedderId: string | null;
  rows: number;
  /** Every evaluated collection at or above its pass mark. */
  passed: boolean;
  comparisons: StagedComparison[];
}

/**
 * Runs every collection's golden set against the staged table with the staged embedder (and the
 * configured generator). Nothing is recorded as a collection's run, since the live index did not
 * change: the overview and metrics keep judging what users are answered from. One audit event
 * keeps the figures.
 */
export async function evaluateStagedIndex(
  db: Database,
  engines: Omit<EvaluationEngines, "store">,
  where: IndexLocation & { liveEmbedderId: string | null },
): Promise<StagedEvaluation> {
  const { info } = await completedStage(db, where);
  if (info.embedderId !== engines.embedder.id)
    throw new AppError(
      "invalid_request",
      `The staged index was built with ${info.embedderId}, not ${engines.embedder.id}: evaluate it with the model it was staged with.`,
    );
  const store = await openStagedStore(where, info);
  const comparisons: StagedComparison[] = [];
  try {
    for (const collection of await listCollectionsWithGoldenSets(db)) {
      const scored = await scoreEvaluation(
        { db, actor: "cli" },
        { ...engines, store },
        { collectionId: collection.id },
      );
      const [last] = await listEvaluationRuns(db, { collectionId: collection.id, limit: 1 });
      comparisons.push({
        collection,
        staged: { totals: scored.totals, passed: scored.passed, minRecall: scored.minRecall },
        live: last
          ? {
              totals: last.totals as EvaluationTotals,
              passed: last.passed,
              embedderId: last.embedderId,
              createdAt: last.createdAt.toISOString(),
            }
          : null,
      });
    }
  } finally {
    await store.close();
  }
  const passed = comparisons.every((c) => c.staged.passed);
  await appendAudit(db, {
    type: "index.staged_evaluated",
    actorId: null,
    payload: {
      via: "cli",
      embedderId: info.embedderId,
      liveEmbedderId: where.liveEmbedderId,
      rows: info.rows,
      collections: comparisons.length,
      passed,
      results: comparisons.map((c) => ({
        collectionId: c.collection.id,
        staged: c.staged,
        live: c.live && { totals: c.live.totals, embedderId: c.live.embedderId },
      })),
    },
  });
  return { embedderId: info.embedderId, liveEmbedderId: where.liveEmbedderId, rows: info.rows, passed, comparisons };
}

export interface SwapResult {
  embedderId: string;
  embeddingModelPath: string | null;
  replacedEmbedderId: string | null;
  rows: number;
  /** Staged versions dropped: deleted, replaced or re-processed after the build began. */
  dropped: number;
  /** Published versions the staged table lacked, queued to be ingested with the new embedder. */
  requeued: number;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Makes the staged table live. Under every active document's row lock (which uploads, restrictions,
 * effective-date changes and deletions take), the staged rows are brought up to the database:
 * versions no longer published, or processed again since the build began (a policy re-check), are
 * dropped; restrictions and intervals changed since are applied; then the rows replace the live
 * table in one commit, and the versions the stage lacked are queued for ingestion.
 */
export async function swapStagedIndex(
  db: Database,
  where: IndexLocation & { liveEmbedderId: string | null },
): Promise<SwapResult> {
  const stage = await completedStage(db, where);
  return db.transaction(async (tx) => {
    await tx.select({ id: documents.id }).from(documents).where(eq(documents.status, "active")).for("update");
    const published = await listPublishedVersions(tx);
    const wanted = new Map(published.map((v) => [v.versionId, v]));
    const facts = await stagedVersionFacts(where);
    const staged = await openStagedStore(where, stage.info);
    let dropped = 0;
    let rows: number;
    try {
      for (const versionId of [...facts.keys()]) {
        const v = wanted.get(versionId);
        if (v && (v.processedAt === null || v.processedAt <= stage.job.startedAt)) continue;
        await staged.deleteVersion(versionId);
        facts.delete(versionId);
        dropped++;
      }
      const documentIds = [...new Set([...facts.values()].map((f) => f.documentId))];
      const restrictions = await listRestrictions(tx, { documentIds });
      const stagedRestriction = new Map([...facts.values()].map((f) => [f.documentId, f.restrictedTo]));
      for (const documentId of documentIds) {
        const want = (restrictions.get(documentId) ?? []).map((g) => g.id).sort();
        const have = (stagedRestriction.get(documentId) ?? []).filter((g) => g !== EVERYONE_GROUP).sort();
        if (!sameList(want, have)) await staged.setDocumentRestriction(documentId, want);
      }
      const times = await listVersionTimes(tx, { documentIds });
      for (const documentId of documentIds) {
        const intervals = versionIntervals(times.filter((t) => t.documentId === documentId));
        for (const [versionId, interval] of intervals) {
          const f = facts.get(versionId);
          const ms = intervalMs(interval);
          if (f && (f.effectiveFromMs !== ms.effectiveFromMs || f.effectiveUntilMs !== ms.effectiveUntilMs))
            await staged.setVersionInterval(versionId, ms);
        }
      }
      rows = await staged.countRows();
    } finally {
      await staged.close();
    }
    const missing = published.filter((v) => !facts.has(v.versionId));
    for (const v of missing) await insertJob(tx, { kind: INGEST_JOB, payload: { versionId: v.versionId } });
    const result = {
      embedderId: stage.info.embedderId,
      embeddingModelPath: stage.payload.embeddingModelPath,
      replacedEmbedderId: where.liveEmbedderId,
      rows,
      dropped,
      requeued: missing.length,
    };
    await appendAudit(tx, { type: "index.swapped", actorId: null, payload: { via: "cli", ...result } });
    // Last: should it fail, the transaction rolls back the queued jobs and the event with it.
    await promoteStagedIndex(where);
    return result;
  });
}
