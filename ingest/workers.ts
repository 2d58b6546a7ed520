import "server-only";
import type { Database } from "@/db/client";
import { recordVersionsTakingEffect } from "@/lib/documents/schedule";
import { INGEST_JOB } from "@/lib/documents/upload";
import { env } from "@/lib/env";
import { localWorkers, setLocalWorkers } from "@/lib/jobs/local-workers";
import { startWorker, type Worker } from "@/lib/jobs/worker";
import { log } from "@/lib/log";
import { clusterUpkeep, type IndexUpkeep } from "@/lib/vector/upkeep";
import { getChunkStore, getEmbedder } from "@/lib/server/index-runtime";
import { getDatabaseHandle } from "@/lib/server/db";
import { STAGE_JOB, type StagePayload } from "@/lib/server/staged-reindex";
import { createEmbedder } from "@/lib/models/embedder";
import { writeLockFor } from "@/lib/vector/write-lock";
import { closeParserPool, getParserPool } from "./parser-runtime";
import { ingestVersion } from "./pipeline";
import { buildStagedIndex } from "./stage";

// Here rather than in lib/: the workers run the ingestion pipeline, and lib/ may not import ingest/.
// The server's start-up (instrumentation.ts) and the CLI's worker and ingest commands start them.

const SWEEP = Symbol.for("knowledge-qa.effective-sweep");
const TICK = Symbol.for("knowledge-qa.upkeep-tick");
type Holder = { [SWEEP]?: ReturnType<typeof setInterval>; [TICK]?: NodeJS.Timeout };
/** How often scheduled versions whose date has come are recorded (retrieval needs no sweep). */
const EFFECTIVE_SWEEP_MS = 5_000;

/** Starts this process's job workers (INGEST_CONCURRENCY at once; 0 leaves the work to other processes). */
export function startWorkers(db: Database, options: { concurrency?: number } = {}): Worker | undefined {
  const running = localWorkers();
  if (running) return running;
  const holder = globalThis as Holder;
  const e = env();
  const concurrency = options.concurrency ?? e.INGEST_CONCURRENCY;
  if (concurrency === 0) {
    log.info("job workers disabled in this process (INGEST_CONCURRENCY=0)");
    return undefined;
  }
  // Retrieval admits a scheduled version at its date by itself; this records that it did.
  holder[SWEEP] = setInterval(() => {
    recordVersionsTakingEffect(db).catch((err: unknown) => log.warn("recording scheduled versions failed", { err }));
  }, EFFECTIVE_SWEEP_MS);
  holder[SWEEP].unref();
  const upkeep = clusterUpkeep({
    db,
    store: getChunkStore,
    minIntervalMs: e.INDEX_UPKEEP_INTERVAL_SECONDS * 1000,
  });
  const worker = startWorker({
    db,
    concurrency,
    handlers: {
      [INGEST_JOB]: async (job, ctx) => {
        const { versionId } = job.payload as { versionId: string };
        const [store, embedder, parser] = await Promise.all([getChunkStore(), getEmbedder(), getParserPool()]);
        return ingestVersion(
          {
            db: ctx.db,
            store,
            embedder,
            parser,
            upkeep,
            dataDir: e.dataDir,
            maxDecompressedBytes: e.maxDecompressedBytes,
          },
          versionId,
          ctx,
        );
      },
      [STAGE_JOB]: async (job, ctx) => {
        const { embeddingModelPath } = job.payload as StagePayload;
        // The staged embedder is loaded for this job only; the live one keeps serving meanwhile.
        const embedder = await createEmbedder({
          modelPath: embeddingModelPath ?? e.EMBEDDING_MODEL_PATH,
          threads: e.EMBEDDING_THREADS,
        });
        try {
          const location = { uri: e.lanceUri, writeLock: await writeLockFor(e, getDatabaseHandle) };
          return await buildStagedIndex(
            {
              db: ctx.db,
              embedder,
              parser: await getParserPool(),
              dataDir: e.dataDir,
              maxDecompressedBytes: e.maxDecompressedBytes,
              location,
            },
            ctx,
          );
        } finally {
          await embedder.close();
        }
      },
    },
  });
  holder[TICK] = startUpkeepTick(upkeep, e.INDEX_UPKEEP_INTERVAL_SECONDS);
  setLocalWorkers(worker);
  return worker;
}

/**
 * Upkeep asked for while another process held the lease, or inside the interval, is picked up by
 * whichever worker process looks next: the last documents of a batch get indexed too.
 */
function startUpkeepTick(upkeep: IndexUpkeep, intervalSeconds: number): NodeJS.Timeout {
  const tick = setInterval(
    () => {
      upkeep.runIfDue().catch((err: unknown) => log.warn("index upkeep check failed", { err }));
    },
    Math.min(Math.max(intervalSeconds * 1000, 1000), 5000),
  );
  tick.unref();
  return tick;
}

export async function stopWorkers(): Promise<void> {
  const holder = globalThis as Holder;
  const w = localWorkers();
  setLocalWorkers(undefined);
  clearInterval(holder[SWEEP]);
  delete holder[SWEEP];
  clearInterval(holder[TICK]);
  delete holder[TICK];
  await w?.stop();
  await closeParserPool();
}
