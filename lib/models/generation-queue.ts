import { QueueFullError } from "./generator";

// The bounded queue in front of a generator. `parallel` generations run at once (one per context
// sequence); at most `maxQueue` more hold a place and wait. A place is taken by reserve(), which
// never waits: when every place is taken it throws QueueFullError, so the chat route can answer
// 429 before it opens a stream. Slots are handed out in the order run() was called (FIFO).

export interface GenerationQueueOptions {
  /** Generations at once; each runs on its own slot 0..parallel-1. */
  parallel: number;
  /** Reservations that may wait for a slot before reserve() refuses. */
  maxQueue: number;
  /** Assumed generation time before any has finished, for Retry-After. */
  initialEstimateMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface GenerationQueueStatus {
  /** Generations holding a slot now. */
  active: number;
  /** Reservations not yet holding a slot (still preparing, or waiting). */
  queued: number;
  parallel: number;
  maxQueue: number;
}

/** What a place in the queue yields: the work's value, or "aborted" when the signal fired before a slot was free. */
export type QueueOutcome<T> = { aborted: false; value: T; queueMs: number } | { aborted: true; queueMs: number };

export interface QueuePlace {
  /**
   * Waits for a free slot (FIFO), then runs `work` on it and frees the slot when `work` settles,
   * however it settles. If `signal` aborts while waiting, `work` never runs and the outcome is
   * `{ aborted: true }`. Call at most once, and not after release().
   */
  run<T>(work: (slot: number) => Promise<T>, signal?: AbortSignal): Promise<QueueOutcome<T>>;
  /** Gives the place back without running; a no-op after run() or a previous release(). */
  release(): void;
}

export class GenerationQueueClosedError extends Error {
  constructor() {
    super("The generator has been shut down.");
    this.name = "GenerationQueueClosedError";
  }
}

/** Recent generation times kept for the Retry-After estimate. */
const HISTORY = 20;
const DEFAULT_ESTIMATE_MS = 10_000;

interface Waiter {
  grant: (slot: number) => void;
  fail: (err: Error) => void;
}

export class GenerationQueue {
  readonly parallel: number;
  readonly maxQueue: number;
  private readonly now: () => number;
  private readonly initialEstimateMs: number;
  /** Places taken: reservations neither released nor finished. */
  private places = 0;
  private readonly freeSlots: number[];
  /** When each busy slot started its current work. */
  private readonly busySince = new Map<number, number>();
  private readonly waiters: Waiter[] = [];
  private readonly durations: number[] = [];
  private closed = false;

  constructor(opts: GenerationQueueOptions) {
    if (!Number.isInteger(opts.parallel) || opts.parallel < 1)
      throw new Error(`parallel must be a positive integer, got ${opts.parallel}.`);
    if (!Number.isInteger(opts.maxQueue) || opts.maxQueue < 0)
      throw new Error(`maxQueue must be a non-negative integer, got ${opts.maxQueue}.`);
    this.parallel = opts.parallel;
    this.maxQueue = opts.maxQueue;
    this.now = opts.now ?? (() => performance.now());
    this.initialEstimateMs = opts.initialEstimateMs ?? DEFAULT_ESTIMATE_MS;
    // Lowest slot first, so a lightly loaded server keeps reusing sequence 0 and its cached prefix.
    this.freeSlots = Array.from({ length: opts.parallel }, (_, i) => opts.parallel - 1 - i);
  }

  status(): GenerationQueueStatus {
    const active = this.busySince.size;
    return { active, queued: this.places - active, parallel: this.parallel, maxQueue: this.maxQueue };
  }

  /** Takes a place now or throws QueueFullError; never waits. */
  reserve(): QueuePlace {
    if (this.closed) throw new GenerationQueueClosedError();
    if (this.places >= this.parallel + this.maxQueue) throw new QueueFullError(this.retryAfterSeconds());
    this.places++;
    let state: "held" | "running" | "done" = "held";

    const giveBack = () => {
      state = "done";
      this.places--;
    };

    return {
      release: () => {
        if (state === "held") giveBack();
      },
      run: async <T>(work: (slot: number) => Promise<T>, signal?: AbortSignal): Promise<QueueOutcome<T>> => {
        if (state !== "held")
          throw new Error(
            state === "running" ? "This queue place is already running." : "This queue place was already released.",
          );
        state = "running";
        const queuedAt = this.now();
        let slot: number | null;
        try {
          // Synchronous when a slot is free, so status() counts the run as active at once.
          const free = this.takeFreeSlot(signal);
          slot = free === undefined ? await this.waitForSlot(signal) : free;
        } catch (err) {
          giveBack();
          throw err;
        }
        const queueMs = this.now() - queuedAt;
        if (slot === null) {
          giveBack();
          return { aborted: true, queueMs };
        }
        const startedAt = this.busySince.get(slot) ?? this.now();
        try {
          const value = await work(slot);
          // An aborted generation ends early and would make the estimate optimistic.
          if (!signal?.aborted) this.recordDuration(this.now() - startedAt);
          return { aborted: false, value, queueMs };
        } finally {
          giveBack();
          this.handOver(slot);
        }
      },
    };
  }

  /**
   * Seconds until a place is likely to free up: the oldest running generation's expected
   * remaining time, from the mean of recent generation times. At least 1.
   */
  retryAfterSeconds(): number {
    const mean =
      this.durations.length === 0
        ? this.initialEstimateMs
        : this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    let remaining = mean;
    if (this.busySince.size > 0) {
      const oldest = Math.min(...this.busySince.values());
      // A generation running past the mean may end any moment; do not promise "now".
      remaining = Math.max(mean - (this.now() - oldest), mean / 4);
    }
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  /** Refuses new reservations and fails those waiting for a slot; running work is left to finish. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.fail(new GenerationQueueClosedError());
  }

  /** A free slot, marked busy; null when the signal has already aborted; undefined when none is free. */
  private takeFreeSlot(signal?: AbortSignal): number | null | undefined {
    if (signal?.aborted) return null;
    if (this.closed) throw new GenerationQueueClosedError();
    const slot = this.freeSlots.pop();
    if (slot !== undefined) this.busySince.set(slot, this.now());
    return slot;
  }

  /** Resolves with a slot already marked busy by handOver(), or null when the signal aborts first. */
  private waitForSlot(signal?: AbortSignal): Promise<number | null> {
    return new Promise<number | null>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(null);
      };
      const waiter: Waiter = {
        grant: (slot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(slot);
        },
        fail: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private handOver(slot: number): void {
    this.busySince.delete(slot);
    const next = this.waiters.shift();
    if (next) {
      this.busySince.set(slot, this.now());
      next.grant(slot);
    } else {
      this.freeSlots.push(slot);
    }
  }

  private recordDuration(ms: number): void {
    this.durations.push(ms);
    if (this.durations.length > HISTORY) this.durations.shift();
  }
}
