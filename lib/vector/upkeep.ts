import "server-only";
import os from "node:os";
import type { Database } from "@/db/client";
import { acquireLease, releaseLease, renewLease, requestLeaseWork } from "@/db/queries/leases";
import { log } from "@/lib/log";
import type { ChunkStore, IndexReport } from "./store";

// Index upkeep (compaction, full-text index merges, the vector index, old-version cleanup) once
// across the cluster, not after every version in every worker: a write records that upkeep is
// wanted, and whichever process takes the PostgreSQL lease runs it, at most once per interval.
// Requests made while it runs stay pending for the next run, so the last write is always folded
// in. Erasure is not upkeep: it runs at once where text must leave the files (store.eraseRemoved).

export const CHUNK_UPKEEP_LEASE = "chunk-index-upkeep";
/** Renewed every third of this while upkeep runs; a crashed holder's lease lapses after it. */
const LEASE_MS = 60_000;

export interface IndexUpkeep {
  /** After a write to the table: asks for upkeep, and runs it here if it is this process's turn. */
  afterWrite(): Promise<void>;
  /** Runs pending upkeep unless another process is or the interval has not passed; null if it did not run. */
  runIfDue(): Promise<IndexReport | null>;
}

export interface ClusterUpkeepOptions {
  db: Database;
  store: () => Promise<Pick<ChunkStore, "ensureIndexes">>;
  /** The least time between two runs' starts, cluster-wide. */
  minIntervalMs: number;
  holder?: string;
}

export function clusterUpkeep(opts: ClusterUpkeepOptions): IndexUpkeep {
  const holder = opts.holder ?? `${os.hostname()}:${process.pid}`;
  const lease = { name: CHUNK_UPKEEP_LEASE, holder };

  async function runIfDue(): Promise<IndexReport | null> {
    const taken = await acquireLease(opts.db, { ...lease, leaseMs: LEASE_MS, minIntervalMs: opts.minIntervalMs });
    if (!taken) return null;
    const renew = setInterval(() => {
      renewLease(opts.db, { ...lease, leaseMs: LEASE_MS }).then(
        (held) => {
          if (!held) log.warn("index upkeep lease lapsed while running", { holder });
        },
        (err: unknown) => log.warn("index upkeep lease renewal failed", { err }),
      );
    }, LEASE_MS / 3);
    renew.unref();
    const started = performance.now();
    try {
      const report = await (await opts.store()).ensureIndexes();
      log.info("index upkeep done", { ...report, ms: Math.round(performance.now() - started), holder });
      return report;
    } catch (err) {
      // Searches still cover unindexed rows; ask again so a later run (here or elsewhere) retries.
      log.warn("index upkeep failed; searches still cover unindexed rows", { err });
      await requestLeaseWork(opts.db, lease);
      return null;
    } finally {
      clearInterval(renew);
      await releaseLease(opts.db, lease);
    }
  }

  return {
    async afterWrite() {
      await requestLeaseWork(opts.db, lease);
      await runIfDue();
    },
    runIfDue,
  };
}
