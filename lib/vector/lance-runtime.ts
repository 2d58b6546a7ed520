import "server-only";
import os from "node:os";
import { connect, type Connection } from "@lancedb/lancedb";

// Every LanceDB connection in the process is made here, so the native runtime is configured
// before its first use.
//
// LanceDB 0.30 (lance 7.0) sizes its CPU pool as cores - 2, at least 1. With a single pool thread
// its full-text index writer deadlocks: the posting-list producer holds the only thread while the
// page encoder it waits for queues for that same thread (lance-format/lance#7350, lancedb#3568).
// On a 2-core machine that hung `optimize()` forever at 0% CPU once the table reached ~50k chunks.
// LANCE_CPU_THREADS is read by the native code when the pool starts, hence an environment write
// (the one place outside lib/env.ts that touches process.env, and only to raise the floor to 2).

function ensureLanceCpuThreads(): void {
  if (process.env.LANCE_CPU_THREADS) return;
  process.env.LANCE_CPU_THREADS = String(Math.max(2, os.availableParallelism() - 2));
}

export async function connectLance(uri: string): Promise<Connection> {
  ensureLanceCpuThreads();
  // 0: every read checks for commits by other processes, so a restriction or deletion made by the
  // CLI or a worker applies to the server's very next search. Locally that check costs microseconds.
  return connect(uri, { readConsistencyInterval: 0 });
}
