import "server-only";
import type { Database } from "@/db/client";
import { getLatestJobOfKind } from "@/db/queries/jobs";
import { AppError } from "@/lib/errors";
import { env } from "@/lib/env";
import { wakeWorkers } from "@/lib/jobs/local-workers";
import { createEmbedder } from "@/lib/models/embedder";
import { getGenerator } from "@/lib/models/generator-runtime";
import { discardStagedIndex, liveIndexInfo, type IndexLocation } from "@/lib/vector/staging";
import { writeLockFor } from "@/lib/vector/write-lock";
import { getDatabaseHandle } from "./db";
import { adoptEmbedder, getEmbedder } from "./index-runtime";
import {
  evaluateStagedIndex,
  STAGE_JOB,
  startStagedReindex,
  swapStagedIndex,
  type StagedEvaluation,
  type StagePayload,
  type SwapResult,
} from "./staged-reindex";

// The staged reindex verbs with this process's configuration, index location and models: what the
// CLI's operations (lib/cli/operations.ts) call, in the CLI or inside the server that owns the data.

async function location(): Promise<IndexLocation & { liveEmbedderId: string | null }> {
  const e = env();
  const where = { uri: e.lanceUri, writeLock: await writeLockFor(e, getDatabaseHandle) };
  return { ...where, liveEmbedderId: (await liveIndexInfo(where))?.embedderId ?? null };
}

export async function stageReindex(db: Database, input: { embeddingModelPath?: string }) {
  const started = await startStagedReindex(db, input);
  wakeWorkers();
  return started;
}

/** Evaluates the staged table with the model it was staged with (loaded for this call when it is not the configured one). */
export async function evaluateStaged(db: Database): Promise<StagedEvaluation> {
  const job = await getLatestJobOfKind(db, { kind: STAGE_JOB });
  const modelPath = (job?.payload as StagePayload | undefined)?.embeddingModelPath ?? null;
  const e = env();
  const own = modelPath !== null && modelPath !== e.EMBEDDING_MODEL_PATH;
  const embedder = own ? await createEmbedder({ modelPath, threads: e.EMBEDDING_THREADS }) : await getEmbedder();
  try {
    return await evaluateStagedIndex(db, { embedder, generator: await getGenerator() }, await location());
  } finally {
    if (own) await embedder.close();
  }
}

export async function swapStaged(db: Database): Promise<SwapResult & { configuredModelPath: string | null }> {
  const result = await swapStagedIndex(db, await location());
  const e = env();
  // This process answers with the new embedder at once; the caller is told what to configure.
  const modelPath = result.embeddingModelPath ?? e.EMBEDDING_MODEL_PATH;
  await adoptEmbedder(modelPath);
  if (result.requeued > 0) wakeWorkers();
  return { ...result, configuredModelPath: e.EMBEDDING_MODEL_PATH ?? null };
}

export async function discardStaged(db: Database): Promise<{ discarded: boolean }> {
  const job = await getLatestJobOfKind(db, { kind: STAGE_JOB });
  if (job && (job.status === "queued" || job.status === "running"))
    throw new AppError("conflict", `A staged reindex is being built (job ${job.id}); wait for it to finish.`);
  return { discarded: await discardStagedIndex(await location()) };
}
