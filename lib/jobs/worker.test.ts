import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { claimJob, getJobById, heartbeatJob, listJobsByIds } from "@/db/queries/jobs";
import { createTestDatabase } from "@/lib/testing/db";
import { enqueueJob } from "./queue";
import { PermanentJobError, startWorker } from "./worker";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h.close());

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(ids: string[], done: (s: string) => boolean, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await listJobsByIds(h.db, { ids });
    if (jobs.every((j) => done(j.status))) return jobs;
    if (Date.now() > until) throw new Error(`jobs not finished: ${jobs.map((j) => j.status).join(",")}`);
    await wait(50);
  }
}

describe("job queue", () => {
  it("runs each job exactly once with several workers claiming at once", async () => {
    const runs = new Map<string, number>();
    const handler = async (job: { id: string }) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await wait(5);
    };
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push((await enqueueJob(h.db, { kind: "count", payload: { i } })).id);
    const workers = [1, 2, 3].map(() =>
      startWorker({ db: h.db, handlers: { count: handler }, concurrency: 2, pollIntervalMs: 20 }),
    );
    await waitFor(ids, (s) => s === "succeeded");
    await Promise.all(workers.map((w) => w.stop()));
    expect([...runs.values()]).toEqual(Array(20).fill(1));
    expect(new Set(runs.keys())).toEqual(new Set(ids));
  });

  it("never runs more jobs at once than its concurrency", async () => {
    let active = 0;
    let peak = 0;
    const handler = async () => {
      active++;
      peak = Math.max(peak, active);
      await wait(30);
      active--;
    };
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push((await enqueueJob(h.db, { kind: "bounded", payload: {} })).id);
    const w = startWorker({ db: h.db, handlers: { bounded: handler }, concurrency: 2, pollIntervalMs: 20 });
    await waitFor(ids, (s) => s === "succeeded");
    await w.stop();
    expect(peak).toBe(2);
  });

  it("resumes a job whose worker died, once its heartbeat is stale", async () => {
    const job = await enqueueJob(h.db, { kind: "resume", payload: {} });
    // A worker claims it and then vanishes without a word.
    const claimed = await claimJob(h.db, {
      workerId: "dead-worker",
      kinds: ["resume"],
      staleBefore: new Date(Date.now() - 60_000),
    });
    expect(claimed?.id).toBe(job.id);
    let ranBy = "";
    const w = startWorker({
      db: h.db,
      workerId: "live-worker",
      handlers: { resume: async () => void (ranBy = "live-worker") },
      pollIntervalMs: 50,
      staleAfterMs: 400,
    });
    const [done] = await waitFor([job.id], (s) => s === "succeeded");
    await w.stop();
    expect(ranBy).toBe("live-worker");
    expect(done!.attempts).toBe(2);
    // The dead worker, were it to wake up, can no longer write to the job.
    expect(await heartbeatJob(h.db, { id: job.id, workerId: "dead-worker", progress: 0.5 })).toBe(false);
  });

  it("fails at once on a permanent error and retries a transient one", async () => {
    let transientCalls = 0;
    const perm = await enqueueJob(h.db, { kind: "perm", payload: {} });
    const trans = await enqueueJob(h.db, { kind: "trans", payload: {} });
    const w = startWorker({
      db: h.db,
      handlers: {
        perm: async () => {
          throw new PermanentJobError("The file is empty.");
        },
        trans: async () => {
          transientCalls++;
          if (transientCalls < 2) throw new Error("disk briefly unavailable");
          return "done";
        },
      },
      pollIntervalMs: 20,
      retryDelayMs: 10,
    });
    const jobs = await waitFor([perm.id, trans.id], (s) => s === "succeeded" || s === "failed");
    await w.stop();
    expect(jobs.find((j) => j.id === perm.id)).toMatchObject({
      status: "failed",
      error: "The file is empty.",
      attempts: 1,
    });
    expect(jobs.find((j) => j.id === trans.id)).toMatchObject({
      status: "succeeded",
      attempts: 2,
      message: "done",
      error: null,
    });
  });

  it("gives up on a job that crashed its worker on every attempt", async () => {
    const job = await enqueueJob(h.db, { kind: "crashy", payload: {} });
    for (let i = 0; i < 3; i++) {
      expect(
        await claimJob(h.db, { workerId: `dead-${i}`, kinds: ["crashy"], staleBefore: new Date() }),
      ).not.toBeNull();
      await h.db.execute(sql`update jobs set heartbeat_at = now() - interval '1 hour' where id = ${job.id}`);
    }
    const w = startWorker({
      db: h.db,
      handlers: { crashy: async () => undefined },
      pollIntervalMs: 20,
      staleAfterMs: 1000,
    });
    const [done] = await waitFor([job.id], (s) => s === "failed");
    await w.stop();
    expect(done!.error).toBe("Interrupted 3 times (the worker stopped while running it); giving up.");
    expect((await getJobById(h.db, { id: job.id }))!.attempts).toBe(3);
  });

  it("records progress while running", async () => {
    const seen: number[] = [];
    const job = await enqueueJob(h.db, { kind: "progress", payload: {} });
    const w = startWorker({
      db: h.db,
      handlers: {
        progress: async (j, ctx) => {
          await ctx.progress(0.5, "halfway");
          const row = await getJobById(h.db, { id: j.id });
          seen.push(row!.progress);
          expect(row!.message).toBe("halfway");
        },
      },
      pollIntervalMs: 20,
    });
    await waitFor([job.id], (s) => s === "succeeded");
    await w.stop();
    expect(seen).toEqual([0.5]);
    expect((await getJobById(h.db, { id: job.id }))!.progress).toBe(1);
  });
});
