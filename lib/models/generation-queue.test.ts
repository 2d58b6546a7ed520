import { describe, expect, it } from "vitest";
import { GenerationQueue, GenerationQueueClosedError } from "./generation-queue";
import { QueueFullError } from "./generator";

/** A piece of work the test finishes (or fails) by hand. */
function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("GenerationQueue", () => {
  it("runs up to `parallel` at once, each on its own slot, and queues the rest", async () => {
    const q = new GenerationQueue({ parallel: 2, maxQueue: 2 });
    const work = [deferred(), deferred(), deferred()];
    const slots: number[] = [];
    const runs = work.map((w) => q.reserve().run((slot) => (slots.push(slot), w.promise)));
    await tick();
    expect(slots.sort()).toEqual([0, 1]);
    expect(q.status()).toEqual({ active: 2, queued: 1, parallel: 2, maxQueue: 2 });

    work[0]!.resolve("a");
    expect(await runs[0]).toMatchObject({ aborted: false, value: "a" });
    await tick();
    expect(slots).toHaveLength(3);
    expect(q.status()).toMatchObject({ active: 2, queued: 0 });
    work[1]!.resolve("b");
    work[2]!.resolve("c");
    expect((await Promise.all(runs)).map((r) => (r.aborted ? null : r.value))).toEqual(["a", "b", "c"]);
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("hands slots out first come, first served", async () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 5 });
    const order: string[] = [];
    const first = deferred();
    const places = ["a", "b", "c", "d"].map((name) => ({ name, place: q.reserve() }));
    const runs = places.map(({ name, place }, i) =>
      place.run(async () => {
        order.push(name);
        if (i === 0) await first.promise;
        return name;
      }),
    );
    await tick();
    expect(order).toEqual(["a"]);
    first.resolve("a");
    await Promise.all(runs);
    expect(order).toEqual(["a", "b", "c", "d"]);
  });

  it("throws QueueFullError once parallel + maxQueue places are taken, and frees places as work ends", async () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 1 });
    const w = deferred();
    const running = q.reserve().run(() => w.promise);
    const waiting = q.reserve();
    let caught: unknown;
    try {
      q.reserve();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QueueFullError);
    expect((caught as QueueFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(q.status()).toMatchObject({ active: 1, queued: 1 });

    w.resolve("done");
    await running;
    // The finished place is free again while the second still holds its own.
    const third = q.reserve();
    expect(() => q.reserve()).toThrow(QueueFullError);
    waiting.release();
    third.release();
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("counts a reservation that has not started running as taken, and release() gives it back once", () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 0 });
    const place = q.reserve();
    expect(() => q.reserve()).toThrow(QueueFullError);
    place.release();
    place.release();
    const again = q.reserve();
    expect(() => q.reserve()).toThrow(QueueFullError);
    again.release();
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("refuses run() after release() and a second run()", async () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 1 });
    const released = q.reserve();
    released.release();
    await expect(released.run(async () => 1)).rejects.toThrow(/already released/);
    const place = q.reserve();
    const w = deferred();
    const first = place.run(() => w.promise);
    await expect(place.run(async () => "x")).rejects.toThrow(/already running/);
    // release() during a run does not free the place twice.
    place.release();
    expect(q.status()).toMatchObject({ active: 1, queued: 0 });
    w.resolve("ok");
    await first;
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("an abort while waiting frees the place without running the work", async () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 2 });
    const w = deferred();
    const running = q.reserve().run(() => w.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = q.reserve().run(async () => {
      ran = true;
      return "never";
    }, controller.signal);
    const behind = q.reserve().run(async () => "behind");
    await tick();
    expect(q.status()).toMatchObject({ active: 1, queued: 2 });

    controller.abort();
    expect(await waiting).toMatchObject({ aborted: true });
    expect(q.status()).toMatchObject({ active: 1, queued: 1 });

    w.resolve("first");
    await running;
    expect(await behind).toMatchObject({ aborted: false, value: "behind" });
    expect(ran).toBe(false);
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("an already aborted signal never takes a slot", async () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 0 });
    let ran = false;
    const outcome = await q.reserve().run(async () => (ran = true), AbortSignal.abort());
    expect(outcome.aborted).toBe(true);
    expect(ran).toBe(false);
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("an error in the work frees the slot for the next in line", async () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 1 });
    const w = deferred();
    const failing = q.reserve().run(() => w.promise);
    const next = q.reserve().run(async (slot) => `slot ${slot}`);
    w.reject(new Error("model crashed"));
    await expect(failing).rejects.toThrow("model crashed");
    expect(await next).toMatchObject({ aborted: false, value: "slot 0" });
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
    // A synchronous throw inside the work is handled the same way.
    await expect(
      q.reserve().run(() => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("estimates Retry-After from recent generation times, never below 1 s", async () => {
    let now = 0;
    const q = new GenerationQueue({ parallel: 1, maxQueue: 0, initialEstimateMs: 3_000, now: () => now });
    expect(q.retryAfterSeconds()).toBe(3);

    // Two generations of 20 s and 40 s: mean 30 s.
    for (const ms of [20_000, 40_000]) {
      await q.reserve().run(async () => {
        now += ms;
      });
    }
    const w = deferred();
    const running = q.reserve().run(() => w.promise);
    await tick();
    now += 10_000;
    let caught: QueueFullError | undefined;
    try {
      q.reserve();
    } catch (err) {
      caught = err as QueueFullError;
    }
    // 30 s expected, 10 s elapsed: about 20 s left.
    expect(caught?.retryAfterSeconds).toBe(20);
    // Overdue: still a positive wait, not zero.
    now += 60_000;
    expect(q.retryAfterSeconds()).toBe(8);
    w.resolve("x");
    await running;

    const fast = new GenerationQueue({ parallel: 1, maxQueue: 0, initialEstimateMs: 50 });
    expect(fast.retryAfterSeconds()).toBe(1);
  });

  it("does not learn from aborted generations", async () => {
    let now = 0;
    const q = new GenerationQueue({ parallel: 1, maxQueue: 0, initialEstimateMs: 30_000, now: () => now });
    const controller = new AbortController();
    await q.reserve().run(async () => {
      now += 100;
      controller.abort();
    }, controller.signal);
    expect(q.retryAfterSeconds()).toBe(30);
  });

  it("close() refuses new reservations and fails those waiting, letting running work finish", async () => {
    const q = new GenerationQueue({ parallel: 1, maxQueue: 1 });
    const w = deferred();
    const running = q.reserve().run(() => w.promise);
    const waiting = q.reserve().run(async () => "never");
    await tick();
    q.close();
    await expect(waiting).rejects.toBeInstanceOf(GenerationQueueClosedError);
    expect(() => q.reserve()).toThrow(GenerationQueueClosedError);
    w.resolve("finished");
    expect(await running).toMatchObject({ value: "finished" });
    expect(q.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("rejects nonsensical sizes", () => {
    expect(() => new GenerationQueue({ parallel: 0, maxQueue: 1 })).toThrow(/parallel/);
    expect(() => new GenerationQueue({ parallel: 1, maxQueue: -1 })).toThrow(/maxQueue/);
  });
});
