import "server-only";
import { Index, type Table } from "@lancedb/lancedb";
import { log } from "@/lib/log";
import { EVERYONE_GROUP } from "./access-filter";

// Index policy for the chunk table.
// - Access: a bitmap index on collection_id and a label-list index on restricted_to, so the access
//   rule (access-filter.ts) is answered from indexes rather than by reading both columns of every
//   row on each search. Rows written since the last upkeep are checked directly, with the same result.
// - Effective dates: a B-tree on each end of the interval, for the date rule (effective-filter.ts).
// - Full text: one BM25 index on `text`, created with the table. Rows written after the last
//   optimize are still found (LanceDB scans them flat), but that path scores a term found in most
//   of those rows as zero; optimize folds them into the index, which scores them properly.
// - Vector: none below the threshold, where a brute-force scan is exact and fast (10k rows of
//   512 floats: ~15 ms with the access filter). Above it IVF_HNSW_SQ: in our measurements it kept
//   recall near 0.95 and honoured selective access prefilters, where IVF_PQ lost most of its recall
//   on 512-dim vectors and returned too few rows under a restrictive filter.

/** Vectors are unit length, so cosine ranks exactly like dot product and L2. */
export const DISTANCE = "cosine" as const;
export const DEFAULT_VECTOR_INDEX_THRESHOLD = 50_000;

// Stop words are kept in the index: see fts-query.ts for the LanceDB failure that removing them
// causes. No positions: searches are BM25 match queries, never phrases, and positions double the
// index (later LanceDB versions also fail compaction on them, lance-format/lance#7653).
const FTS_OPTIONS = {
  baseTokenizer: "simple",
  language: "English",
  lowercase: true,
  stem: true,
  removeStopWords: false,
  asciiFolding: true,
  withPosition: false,
} as const;

export const FTS_INDEX_NAME = "text_idx";
const VECTOR_INDEX_NAME = "vector_idx";
const COLLECTION_INDEX_NAME = "collection_idx";
const RESTRICTION_INDEX_NAME = "restricted_to_idx";
const EFFECTIVE_FROM_INDEX_NAME = "effective_from_idx";
const EFFECTIVE_UNTIL_INDEX_NAME = "effective_until_idx";
const OPTIMIZE_ATTEMPTS = 4;
/**
 * Old table versions still hold deleted chunks; LanceDB's default keeps them 7 days. An hour is
 * enough for any query or commit in flight in another process to finish.
 */
const KEEP_OLD_VERSIONS_MS = 60 * 60 * 1000;

export interface IndexReport {
  rows: number;
  vectorIndex: boolean;
  /** False when concurrent writers kept pre-empting the compaction; the next call catches up. */
  optimized: boolean;
}

async function hasIndexOn(table: Table, column: string): Promise<boolean> {
  return (await table.listIndices()).some((i) => i.columns.includes(column));
}

/** Creates an index unless present; losing a creation race to another process is fine. */
async function createIndexOnce(table: Table, column: string, name: string, config: Index): Promise<void> {
  if (await hasIndexOn(table, column)) return;
  try {
    await table.createIndex(column, { config, name, replace: false });
  } catch (err) {
    if (!(await hasIndexOn(table, column))) throw err;
  }
}

export function ensureFtsIndex(table: Table): Promise<void> {
  return createIndexOnce(table, "text", FTS_INDEX_NAME, Index.fts(FTS_OPTIONS));
}

/** One HNSW graph per partition: few partitions, each small enough to train in memory. */
function partitionsFor(rows: number): number {
  return Math.max(1, Math.ceil(rows / 1_000_000));
}

/**
 * Tables written before EVERYONE_GROUP existed hold [] for unrestricted rows, which the access
 * rule does not match: those rows would be hidden from everyone (never shown to the wrong people).
 * They are rewritten when a process opens the table, and at each index upkeep in case a process
 * still running older code wrote some since. Counting finds none on a current table in milliseconds.
 */
export async function markUnrestrictedRows(table: Table): Promise<number> {
  const legacy = "array_length(restricted_to) = 0";
  const rows = await table.countRows(legacy);
  if (rows === 0) return 0;
  await table.update({ where: legacy, valuesSql: { restricted_to: `make_array('${EVERYONE_GROUP}')` } });
  log.info("marked unrestricted chunks for the indexed access rule", { rows });
  return rows;
}

export async function maintainIndexes(table: Table, vectorIndexThreshold: number): Promise<IndexReport> {
  await ensureFtsIndex(table);
  await markUnrestrictedRows(table);
  await createIndexOnce(table, "collection_id", COLLECTION_INDEX_NAME, Index.bitmap());
  await createIndexOnce(table, "restricted_to", RESTRICTION_INDEX_NAME, Index.labelList());
  // The effective-date rule (effective-filter.ts) is two range comparisons: B-trees answer them.
  await createIndexOnce(table, "effective_from_ms", EFFECTIVE_FROM_INDEX_NAME, Index.btree());
  await createIndexOnce(table, "effective_until_ms", EFFECTIVE_UNTIL_INDEX_NAME, Index.btree());
  const rows = await table.countRows();
  let vectorIndex = await hasIndexOn(table, "vector");
  if (!vectorIndex && rows >= vectorIndexThreshold) {
    await createIndexOnce(
      table,
      "vector",
      VECTOR_INDEX_NAME,
      Index.hnswSq({ distanceType: DISTANCE, numPartitions: partitionsFor(rows) }),
    );
    vectorIndex = true;
  }
  // Compaction is a rewrite: a delete or update committed meanwhile (another process) pre-empts it
  // with a retryable conflict. Searches stay correct without it, so a persistent conflict is
  // reported, not thrown.
  let rebuilt = false;
  for (let attempt = 1; attempt <= OPTIMIZE_ATTEMPTS; attempt++) {
    try {
      await table.optimize({ cleanupOlderThan: new Date(Date.now() - KEEP_OLD_VERSIONS_MS) });
      return { rows, vectorIndex, optimized: true };
    } catch (err) {
      if (!/retryable commit conflict/i.test((err as Error).message)) {
        // LanceDB 0.30 can panic merging full-text index segments once rows in indexed fragments
        // were updated or deleted ("index out of bounds" in InnerBuilder::merge_from). A fresh
        // index has one segment and nothing to merge: rebuild it once, then optimize again.
        if (rebuilt) throw err;
        log.warn("full-text index merge failed; rebuilding the index", { err: (err as Error).message });
        await table.createIndex("text", { config: Index.fts(FTS_OPTIONS), name: FTS_INDEX_NAME, replace: true });
        rebuilt = true;
        continue;
      }
      if (attempt === OPTIMIZE_ATTEMPTS) {
        log.warn("chunk index optimize pre-empted by concurrent writes; will catch up next time", {
          attempts: attempt,
        });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
  return { rows, vectorIndex, optimized: false };
}

/**
 * Erasure: a delete only marks rows deleted, and older table versions keep the files that held
 * them (upkeep drops versions older than an hour). This rewrites the fragments with deleted rows
 * and drops every version but the latest at once, so removed text leaves the disk before the
 * deletion is reported done. A query still reading an older version in another process may fail
 * and be retried; that is the price of erasing now. The full-text index is rebuilt from the
 * remaining rows first: its term dictionary is stored compressed, so a byte scan cannot show that
 * optimizing dropped a removed row's terms, and a rebuild guarantees it.
 */
export async function eraseRemovedRows(table: Table): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await table.createIndex("text", { config: Index.fts(FTS_OPTIONS), name: FTS_INDEX_NAME, replace: true });
      await table.optimize({ cleanupOlderThan: new Date() });
      return;
    } catch (err) {
      if (!/retryable commit conflict/i.test((err as Error).message) || attempt === OPTIMIZE_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
