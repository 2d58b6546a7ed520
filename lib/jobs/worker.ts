import "server-only";
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Database } from "@/db/client";
import { claimJob, failExhaustedJobs, finishJob, heartbeatJob } from "@/db/queries/jobs";
import type { Job } from "@/db/schema";
import { log } from "@/lib/log";
import { recordJobRun, type JobRunOutcome } from "@/lib/metrics/record";

// Runs queued jobs with bounded concurrency. Every running job is heart-beaten; if this
// process dies, another worker (here after a restart, or elsewhere) claims the job again once
// the heartbeat is stale, so handlers must be idempotent.

/** Throw this for failures that retrying cannot fix (a corrupt file, say). */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

/** The job was taken over by another worker after this one stalled; stop without writing. */
export class JobLostError extends Error {}

export interface JobContext {
  db: Database;
  signal: AbortSignal;
  /** Reports progress (0..1) and keeps the claim alive; throws JobLostError if the claim is gone. */
  progress(fraction: number, message?: string): Promise<void>;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<string | void>;

export interface WorkerOptions {
  db: Database;
  handlers: Record<string, JobHandler>;
  concurrency?: number;
  pollIntervalMs?: number;
  staleAfterMs?: number;
  retryDelayMs?: number;
  workerId?: string;
}

export interface Worker {
  readonly id: string;
  /** Looks for work now instead of at the next poll. */
  wake(): void;
  /** Stops claiming, waits for running jobs to finish. */
  stop(): Promise<void>;
  /** Resolves when no job is running and none could be claimed on the last look. */
  idle(): Promise<void>;
}

export function startWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const concurrency = options.concurrency ?? 1;
  const pollMs = options.pollIntervalMs ?? 1000;
  const staleMs = options.staleAfterMs ?? 60_000;
  const retryMs = options.retryDelayMs ?? 5_000;
  const kinds = Object.keys(options.handlers);
  const running = new Set<Promise<void>>();
  const idleWaiters: (() => void)[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let looking = false;
  let again = false;

  const notifyIdle = () => {
    if (running.size === 0 && !looking) for (const resolve of idleWaiters.splice(0)) resolve();
  };

  async function runJob(job: Job): Promise<void> {
    const controller = new AbortController();
    const db = options.db;
    let lost = false;
    const beat = setInterval(
      () => {
        heartbeatJob(db, { id: job.id, workerId: id }).then(
          (ok) => {
            if (!ok) {
              lost = true;
              controller.abort();
            }
          },
          (err) => log.warn("job heartbeat failed", { jobId: job.id, err }),
        );
      },
      Math.max(250, Math.floor(staleMs / 3)),
    );
    const ctx: JobContext = {
      db,
      signal: controller.signal,
      async progress(fraction, message) {
        log.debug("job progress", { jobId: job.id, kind: job.kind, progress: Number(fraction.toFixed(3)), message });
        if (lost || !(await heartbeatJob(db, { id: job.id, workerId: id, progress: fraction, message }))) {
          lost = true;
          controller.abort();
          throw new JobLostError(`job ${job.id} was taken over by another worker`);
        }
      },
    };
    const started = performance.now();
    let outcome: JobRunOutcome = "succeeded";
    try {
      const message = await options.handlers[job.kind]!(job, ctx);
      await finishJob(db, { id: job.id, workerId: id, status: "succeeded", message: message ?? undefined });
    } catch (err) {
      if (err instanceof JobLostError || lost) {
        outcome = "lost";
        log.warn("job taken over by another worker; dropping this run", { jobId: job.id });
      } else if (err instanceof PermanentJobError || job.attempts >= job.maxAttempts) {
        outcome = "failed";
        await finishJob(db, { id: job.id, workerId: id, status: "failed", error: messageOf(err) });
      } else {
        outcome = "retry";
        log.warn("job failed; will retry", { jobId: job.id, attempt: job.attempts, err });
        const runAfter = new Date(Date.now() + retryMs * 2 ** (job.attempts - 1));
        await finishJob(db, { id: job.id, workerId: id, status: "retry", error: messageOf(err), runAfter });
      }
    } finally {
      clearInterval(beat);
      recordJobRun({ kind: job.kind, outcome, ms: performance.now() - started });
    }
  }

  async function look(): Promise<void> {
    if (looking) {
      again = true;
      return;
    }
    looking = true;
    try {
      do {
        again = false;
        const staleBefore = new Date(Date.now() - staleMs);
        await failExhaustedJobs(options.db, { staleBefore });
        while (!stopped && running.size < concurrency) {
          const job = await claimJob(options.db, { workerId: id, kinds, staleBefore });
          if (!job) break;
          const p: Promise<void> = runJob(job)
            .catch((err) => log.error("job bookkeeping failed", { jobId: job.id, err }))
            .finally(() => {
              running.delete(p);
              if (!stopped) void look();
              notifyIdle();
            });
          running.add(p);
        }
      } while (again && !stopped);
    } catch (err) {
      log.error("job claim failed", { err });
    } finally {
      looking = false;
      notifyIdle();
    }
  }

  const schedule = () => {
    timer = setTimeout(() => {
      void look().finally(() => {
        if (!stopped) schedule();
      });
    }, pollMs);
    timer.unref?.();
  };
  void look();
  schedule();

  return {
    id,
    wake: () => void look(),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...running]);
    },
    idle: () =>
      new Promise<void>((resolve) => {
        if (running.size === 0 && !looking) resolve();
        else idleWaiters.push(resolve);
      }),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
