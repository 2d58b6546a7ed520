import "server-only";
import type { Executor } from "@/db/client";
import { listLatestEvaluationRuns } from "@/db/queries/evaluations";
import { countJobsByKindAndStatus } from "@/db/queries/jobs";
import { JOB_STATUSES } from "@/db/schema";
import { INGEST_JOB } from "@/lib/documents/upload";
import type { EvaluationTotals } from "@/lib/evaluation/types";
import { log } from "@/lib/log";
import { trackedGenerator } from "./record";
import { processMetrics, type ProcessMetrics } from "./registry";

// A scrape: refresh the readings that are taken at scrape time (the job queue from Postgres, the
// generator's queue from this process), then render the registry in the text exposition format.

export interface RenderedMetrics {
  body: string;
  contentType: string;
}

/** `db` is a getter so that a database that cannot be opened costs the job counts, not the scrape. */
export async function renderMetrics({ db }: { db: () => Promise<Executor> }): Promise<RenderedMetrics> {
  const m = processMetrics();
  await readJobs(db, m);
  await readEvaluations(db, m);
  readGenerator(m);
  return { body: await m.registry.metrics(), contentType: m.registry.contentType };
}

async function readJobs(db: () => Promise<Executor>, m: ProcessMetrics): Promise<void> {
  try {
    const rows = await countJobsByKindAndStatus(await db());
    m.jobs.reset();
    // Every status of the ingestion queue is exported, at 0 when empty, so alerts on
    // `kq_jobs{status="failed"}` see a series from the first scrape.
    for (const status of JOB_STATUSES) m.jobs.set({ kind: INGEST_JOB, status }, 0);
    for (const r of rows) m.jobs.set({ kind: r.kind, status: r.status }, r.count);
  } catch (err) {
    // An unreachable database must not hide the process metrics that say why.
    m.jobs.reset();
    m.scrapeErrors.inc({ source: "jobs" });
    log.warn("metrics: could not count jobs", { err });
  }
}

async function readEvaluations(db: () => Promise<Executor>, m: ProcessMetrics): Promise<void> {
  m.evaluationRecall.reset();
  m.evaluationBelowPassMark.reset();
  try {
    for (const r of await listLatestEvaluationRuns(await db())) {
      m.evaluationRecall.set({ collection: r.collectionName }, (r.totals as EvaluationTotals).recallAt5);
      m.evaluationBelowPassMark.set({ collection: r.collectionName }, r.passed ? 0 : 1);
    }
  } catch (err) {
    m.scrapeErrors.inc({ source: "evaluations" });
    log.warn("metrics: could not read evaluation runs", { err });
  }
}

function readGenerator(m: ProcessMetrics): void {
  const gauges = [m.generatorActive, m.generatorQueued, m.generatorParallel, m.generatorMaxQueue];
  for (const g of gauges) g.reset();
  const generator = trackedGenerator();
  if (!generator) return;
  try {
    const s = generator.status();
    m.generatorActive.set({ kind: s.kind }, s.active);
    m.generatorQueued.set({ kind: s.kind }, s.queued);
    m.generatorParallel.set({ kind: s.kind }, s.parallel);
    m.generatorMaxQueue.set({ kind: s.kind }, s.maxQueue);
  } catch (err) {
    m.scrapeErrors.inc({ source: "generator" });
    log.warn("metrics: could not read the generator's queue", { err });
  }
}
