import "server-only";
import type { Executor } from "@/db/client";
import { getJobById, insertJob } from "@/db/queries/jobs";
import type { Job } from "@/db/schema";
import { AppError } from "@/lib/errors";

export async function enqueueJob(
  db: Executor,
  input: { kind: string; payload: unknown; createdBy?: string | null },
): Promise<Job> {
  return insertJob(db, input);
}

/** The public shape of a job's state. */
export function jobJson(job: Job) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    progress: job.progress,
    message: job.message,
    error: job.error,
    attempts: job.attempts,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

export async function requireJob(db: Executor, id: string): Promise<Job> {
  const job = await getJobById(db, { id });
  if (!job) throw new AppError("not_found", "No job with this id.");
  return job;
}
