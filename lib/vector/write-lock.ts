import "server-only";
import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { isObjectStoreUri } from "./lance-runtime";

// Who may commit to the LanceDB table at a time. LanceDB commits a table version by writing the
// next manifest "only if absent": a local folder does that with an atomic rename, AWS S3 and
// current MinIO with a conditional PUT (If-None-Match). An S3-compatible store that ignores the
// condition (s3rver, older MinIO, some Ceph and appliance gateways) lets two writers write the
// same version, and one commit silently disappears: we measured 24 of 41 rows left after two
// workers wrote 20 each on s3rver. So on object storage every write is serialised across the
// cluster by a PostgreSQL advisory lock, the one coordinator every node already shares
// (docs/adr/0020). LANCEDB_COMMIT_LOCK=store trusts the store's conditional writes instead.

/** Runs `write` while no other writer to the chunk table, in any process, runs. Not re-entrant. */
export type WriteLock = <T>(write: () => Promise<T>) => Promise<T>;

/** Any constant works; it only has to be the same in every process (migrations use another). */
const LANCE_WRITE_LOCK_KEY = 7_402_117_732;

export const noWriteLock: WriteLock = (write) => write();

/** One writer at a time within this process (PGlite: the server is the only process that writes). */
export function processWriteLock(): WriteLock {
  let tail: Promise<unknown> = Promise.resolve();
  return (write) => {
    const run = tail.then(write, write);
    // The caller receives this write's outcome, failure included, through `run`; the queue only
    // needs to know it settled, so the next writer starts either way.
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
}

/**
 * One writer at a time across every process on the database: a transaction-scoped advisory lock,
 * released by the database if the holder dies (its connection closes), so a crashed worker never
 * wedges the others.
 */
export function databaseWriteLock(handle: DatabaseHandle): WriteLock {
  if (handle.kind === "pglite") return processWriteLock();
  return (write) =>
    handle.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${LANCE_WRITE_LOCK_KEY})`);
      return write();
    });
}

/**
 * The lock this configuration asks for: only for a table on object storage, unless the store's own
 * conditional writes are trusted. Embedded PGlite means one process writes, so an in-process lock.
 */
export async function writeLockFor(
  s: { lanceUri: string; LANCEDB_COMMIT_LOCK: "database" | "store"; DATABASE_URL?: string },
  database: () => Promise<DatabaseHandle>,
): Promise<WriteLock> {
  if (!isObjectStoreUri(s.lanceUri) || s.LANCEDB_COMMIT_LOCK === "store") return noWriteLock;
  if (!s.DATABASE_URL) return processWriteLock();
  return databaseWriteLock(await database());
}
