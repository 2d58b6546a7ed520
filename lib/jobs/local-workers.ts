import "server-only";
import type { Worker } from "./worker";

// This process's job workers, when it runs any. Who starts them (ingest/workers.ts) knows the
// pipeline; who only queues work (uploads, the CLI channel) needs nothing but a way to wake them.

const KEY = Symbol.for("knowledge-qa.workers");
type Holder = { [KEY]?: Worker };
const holder = globalThis as Holder;

export function localWorkers(): Worker | undefined {
  return holder[KEY];
}

export function setLocalWorkers(worker: Worker | undefined): void {
  if (worker) holder[KEY] = worker;
  else delete holder[KEY];
}

/** Asks this process's workers to look for work now rather than at their next poll. */
export function wakeWorkers(): void {
  holder[KEY]?.wake();
}
