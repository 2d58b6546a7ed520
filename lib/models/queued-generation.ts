import "server-only";
import type { GenerationQueue } from "./generation-queue";
import type { GenerationRequest, GenerationResult, GenerationTicket } from "./generator";

// The part every model-backed generator shares: a place in the bounded queue per question, the
// asker's stop and shutdown folded into one signal, and a close() that aborts what is running and
// waits for it. Generators supply only how one answer is produced on a slot.

type Timings = GenerationResult["timings"];
export type SlotAnswer = Omit<GenerationResult, "timings"> & { timings: (queueMs: number) => Timings };

export interface QueuedGeneration {
  reserve(): GenerationTicket;
  /** Stops taking questions, aborts running answers and waits for them; false when already closed. */
  close(): Promise<boolean>;
}

export function queuedGeneration(
  queue: GenerationQueue,
  generate: (slot: number, req: GenerationRequest, signal: AbortSignal, startedAt: number) => Promise<SlotAnswer>,
): QueuedGeneration {
  // Aborts every running answer on close(), so shutdown does not wait for long generations.
  const closing = new AbortController();
  const running = new Set<Promise<unknown>>();
  let closed = false;
  return {
    reserve() {
      if (closed) throw new Error("The generator has been closed.");
      const place = queue.reserve();
      return {
        release: () => place.release(),
        async run(req) {
          const startedAt = performance.now();
          const signal = req.signal ? AbortSignal.any([req.signal, closing.signal]) : closing.signal;
          const job = place.run((slot) => generate(slot, req, signal, startedAt), signal);
          running.add(job);
          try {
            const outcome = await job;
            if (outcome.aborted)
              return {
                text: "",
                finishReason: "abort",
                tokens: 0,
                timings: { queueMs: outcome.queueMs, firstTokenMs: null, totalMs: performance.now() - startedAt },
              };
            const { timings, ...rest } = outcome.value;
            return { ...rest, timings: timings(outcome.queueMs) };
          } finally {
            running.delete(job);
          }
        },
      };
    },
    async close() {
      if (closed) return false;
      closed = true;
      queue.close();
      closing.abort(new Error("The generator is shutting down."));
      await Promise.allSettled([...running]);
      return true;
    },
  };
}
