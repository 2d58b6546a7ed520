import "server-only";
import type { Database } from "@/db/client";
import { recordVersionsTakingEffect } from "@/lib/documents/schedule";
import { INGEST_JOB } from "@/lib/documents/upload";
import { env } from "@/lib/env";
import { startWorker, type Worker } from "@/lib/jobs/worker";
import { log } from "@/lib/log";
import { ingestVersion } from "@/ingest/pipeline";
import { closeParserPool, getChunkStore, getEmbedder, getParserPool } from "./index-runtime";

const KEY = Symbol.for("knowledge-qa.workers");
const SWEEP = Symbol.for("knowledge-qa.effective-sweep");
type Holder = { [KEY]?: Worker; [SWEEP]?: ReturnType<typeof setInterval> };
/** How often scheduled versions whose date has come are recorded (retrieval needs no sweep). */
const EFFECTIVE_SWEEP_MS = 5_000;

/** Starts this process's job workers (INGEST_CONCURRENCY at once; 0 leaves the work to other processes). */
export function startWorkers(db: Database, options: { concurrency?: number } = {}): Worker | undefined {
  const holder = globalThis as Holder;
  if (holder[KEY]) return holder[KEY];
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
  holder[KEY] = startWorker({
    db,
    concurrency,
    handlers: {
      [INGEST_JOB]: async (job, ctx) => {
        const { versionId } = job.payload as { versionId: string };
        const [store, embedder, parser] = await Promise.all([getChunkStore(), getEmbedder(), getParserPool()]);
        return ingestVersion(
          { db: ctx.db, store, embedder, parser, dataDir: e.dataDir, maxDecompressedBytes: e.maxDecompressedBytes },
          versionId,
          ctx,
        );
      },
    },
  });
  return holder[KEY];
}

/** Asks this process's workers to look for work now rather than at their next poll. */
export function wakeWorkers(): void {
  (globalThis as Holder)[KEY]?.wake();
}

export async function stopWorkers(): Promise<void> {
  const holder = globalThis as Holder;
  const w = holder[KEY];
  delete holder[KEY];
  clearInterval(holder[SWEEP]);
  delete holder[SWEEP];
  await w?.stop();
  await closeParserPool();
}
