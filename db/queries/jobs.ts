import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { jobs, type Job, type JobStatus } from "../schema";

export async function insertJob(
  db: Executor,
  input: { kind: string; payload: unknown; createdBy?: string | null; maxAttempts?: number },
): Promise<Job> {
  const [row] = await db
    .insert(jobs)
    .values({
      kind: input.kind,
      payload: input.payload,
      createdBy: input.createdBy ?? null,
      maxAttempts: input.maxAttempts ?? 3,
    })
    .returning();
  if (!row) throw new Error("insert into jobs returned no row");
  return row;
}

export async function getJobById(db: Executor, { id }: { id: string }): Promise<Job | null> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row ?? null;
}

export async function listJobsByIds(db: Executor, { ids }: { ids: string[] }): Promise<Job[]> {
  if (ids.length === 0) return [];
  return db.select().from(jobs).where(inArray(jobs.id, ids));
}

/**
 * Claims the oldest runnable job of the given kinds for `workerId`: a queued job whose time has
 * come, or a running job whose worker stopped heart-beating (it crashed). SKIP LOCKED lets any
 * number of workers in any number of processes claim concurrently without taking the same job.
 */
export async function claimJob(
  db: Executor,
  { workerId, kinds, staleBefore }: { workerId: string; kinds: string[]; staleBefore: Date },
): Promise<Job | null> {
  const kindList = sql.join(
    kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  const stale = staleBefore.toISOString();
  const [row] = await db
    .update(jobs)
    .set({
      status: "running",
      attempts: sql`${jobs.attempts} + 1`,
      lockedBy: workerId,
      heartbeatAt: sql`now()`,
      startedAt: sql`coalesce(${jobs.startedAt}, now())`,
      error: null,
    })
    .where(
      sql`${jobs.id} = (
        select id from ${jobs}
        where ${jobs.kind} in (${kindList})
          and ${jobs.attempts} < ${jobs.maxAttempts}
          and ((${jobs.status} = 'queued' and ${jobs.runAfter} <= now())
            or (${jobs.status} = 'running' and ${jobs.heartbeatAt} < ${stale}::timestamptz))
        order by ${jobs.createdAt}
        limit 1
        for update skip locked)`,
    )
    .returning();
  return row ?? null;
}

/** Fails running jobs that crashed on every allowed attempt, so they do not stay "running" forever. */
export async function failExhaustedJobs(db: Executor, { staleBefore }: { staleBefore: Date }): Promise<number> {
  const rows = await db
    .update(jobs)
    .set({
      status: "failed",
      finishedAt: sql`now()`,
      lockedBy: null,
      error: sql`'Interrupted ' || ${jobs.attempts} || ' times (the worker stopped while running it); giving up.'`,
    })
    .where(
      and(
        eq(jobs.status, "running"),
        sql`${jobs.heartbeatAt} < ${staleBefore.toISOString()}::timestamptz`,
        sql`${jobs.attempts} >= ${jobs.maxAttempts}`,
      ),
    )
    .returning({ id: jobs.id });
  return rows.length;
}

/** Records progress; false when the job is no longer this worker's (taken over after a stall). */
export async function heartbeatJob(
  db: Executor,
  { id, workerId, progress, message }: { id: string; workerId: string; progress?: number; message?: string },
): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({
      heartbeatAt: sql`now()`,
      ...(progress !== undefined ? { progress: Math.max(0, Math.min(1, progress)) } : {}),
      ...(message !== undefined ? { message } : {}),
    })
    .where(and(eq(jobs.id, id), eq(jobs.lockedBy, workerId), eq(jobs.status, "running")))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

export async function finishJob(
  db: Executor,
  input: { id: string; workerId: string } & (
    | { status: "succeeded"; message?: string }
    | { status: "failed"; error: string }
    | { status: "retry"; error: string; runAfter: Date }
  ),
): Promise<boolean> {
  const base = and(eq(jobs.id, input.id), eq(jobs.lockedBy, input.workerId), eq(jobs.status, "running"));
  const values =
    input.status === "succeeded"
      ? {
          status: "succeeded" as const,
          progress: 1,
          message: input.message ?? null,
          finishedAt: sql`now()`,
          lockedBy: null,
        }
      : input.status === "failed"
        ? { status: "failed" as const, error: input.error, finishedAt: sql`now()`, lockedBy: null }
        : { status: "queued" as const, error: input.error, runAfter: input.runAfter, lockedBy: null };
  const rows = await db.update(jobs).set(values).where(base).returning({ id: jobs.id });
  return rows.length > 0;
}

/** Jobs per kind and status, for the metrics scrape and the admin overview (one grouped scan). */
export async function countJobsByKindAndStatus(
  db: Executor,
): Promise<{ kind: string; status: JobStatus; count: number }[]> {
  return db
    .select({ kind: jobs.kind, status: jobs.status, count: sql<number>`count(*)::int` })
    .from(jobs)
    .groupBy(jobs.kind, jobs.status);
}

/** The most recently created job of a kind, or null. */
export async function getLatestJobOfKind(db: Executor, { kind }: { kind: string }): Promise<Job | null> {
  const [row] = await db.select().from(jobs).where(eq(jobs.kind, kind)).orderBy(desc(jobs.createdAt)).limit(1);
  return row ?? null;
}
