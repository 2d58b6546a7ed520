import "server-only";
import { makeArrowTable, MatchQuery, type Connection, type Table } from "@lancedb/lancedb";
import { accessPredicate, EVERYONE_GROUP, normalizeIds, sqlId, sqlIdList, type AccessFilter } from "./access-filter";
import { validateVersionRows } from "./chunk-rows";
import {
  chunkSchema,
  HIT_COLUMNS,
  readIdentity,
  TABLE_NAME,
  toHit,
  toHitWithVector,
  toRecord,
  type ChunkRow,
  type Hit,
  type HitWithVector,
  type StoredIdentity,
} from "./chunk-schema";
import { effectivePredicate, OPEN_END_MS } from "./effective-filter";
import { toMatchText } from "./fts-query";
import { connectLance } from "./lance-runtime";
import { addMissingColumns } from "./schema-upgrade";
import { noWriteLock, type WriteLock } from "./write-lock";
import {
  DEFAULT_VECTOR_INDEX_THRESHOLD,
  DISTANCE,
  ensureFtsIndex,
  eraseRemovedRows,
  FTS_INDEX_NAME,
  maintainIndexes,
  markUnrestrictedRows,
  type IndexReport,
} from "./indexes";

// The LanceDB chunk table: one row per chunk with its vector and the denormalised fields the
// access filter needs. Every search carries the caller's access rule inside the LanceDB query.
// Several processes (server, CLI, workers) may open the same table: writes are single commits
// that LanceDB retries on conflict, and reads always look at the latest version. On object storage
// every write also runs under the cluster's write lock (write-lock.ts), since not every S3 store
// honours the conditional write LanceDB's commit relies on.

export type { AccessFilter, ChunkRow, Hit, HitWithVector, IndexReport };
export { InvalidIdError } from "./access-filter";
export { InvalidChunkError } from "./chunk-rows";

interface Identity {
  embedderId: string;
  dim: number;
}

export class EmbedderMismatchError extends Error {
  readonly stored: StoredIdentity;
  readonly configured: Identity;
  constructor(stored: StoredIdentity, configured: Identity) {
    super(
      `The vector index was built with embedder ${stored.embedderId ?? "(unknown)"} (dim ${stored.dim ?? "unknown"}) but the server is configured with ${configured.embedderId} (dim ${configured.dim}). Run \`npm run cli -- reindex\` to re-embed all documents with ${configured.embedderId}.`,
    );
    this.name = "EmbedderMismatchError";
    this.stored = stored;
    this.configured = configured;
  }
}

export interface SearchOptions {
  access: AccessFilter;
  limit: number;
  /** The moment whose versions are searched (epoch ms): the question's asOf. Default: now. */
  effectiveAt?: number;
  /** Narrows the search to these collections; can never widen `access`. */
  collectionIds?: string[];
}

export interface ChunkFilter {
  versionId?: string;
  documentId?: string;
  collectionId?: string;
}

/** What works whatever embedder built the table: purging, restricting, counting, resetting. */
export interface ChunkMaintenance {
  deleteVersion(versionId: string): Promise<number>;
  deleteDocument(documentId: string): Promise<number>;
  /** Removes a document's chunks from every version but `keepVersionId`. */
  deleteDocumentVersionsExcept(documentId: string, keepVersionId: string): Promise<number>;
  deleteCollection(collectionId: string): Promise<number>;
  /** Sets the effective interval (epoch ms, until exclusive; OPEN_END_MS: no end) on every chunk of the version. */
  setVersionInterval(versionId: string, interval: { effectiveFromMs: number; effectiveUntilMs: number }): Promise<void>;
  /** Replaces the groups on every chunk of the document; [] means everyone who reads the collection. */
  setDocumentRestriction(documentId: string, groupIds: string[]): Promise<void>;
  countRows(filter?: ChunkFilter): Promise<number>;
  /**
   * Removes deleted and replaced rows from the table's files now: compacts the fragments that hold
   * them and drops every older table version. Run after a deletion that must not leave text on disk.
   */
  eraseRemoved(): Promise<void>;
  /** Empties the table and records a new embedder identity (reindex). */
  reset(embedderId: string, dim: number): Promise<void>;
  close(): Promise<void>;
}

export interface ChunkStore extends ChunkMaintenance {
  readonly embedderId: string;
  readonly dim: number;
  /** Atomically makes `rows` the version's only chunks; running it again changes nothing. */
  replaceVersionChunks(versionId: string, rows: ChunkRow[]): Promise<void>;
  vectorSearch(vector: Float32Array, opts: SearchOptions): Promise<Hit[]>;
  /**
   * BM25 over the chunk text. With `withVectors`, each hit carries its stored vector, so retrieval
   * can score lexical hits by cosine as well without a second query.
   */
  textSearch(query: string, opts: SearchOptions & { withVectors: true }): Promise<HitWithVector[]>;
  textSearch(query: string, opts: SearchOptions): Promise<Hit[]>;
  ensureIndexes(): Promise<IndexReport>;
}

export interface OpenChunkStoreOptions {
  /** A directory (DATA_DIR/lance) or an object-store URI (LANCEDB_URI). */
  uri: string;
  embedderId: string;
  dim: number;
  /** Rows from which ensureIndexes builds a vector index (tests lower it). */
  vectorIndexThreshold?: number;
  /** Serialises this store's commits with every other writer's (write-lock.ts); none by default. */
  writeLock?: WriteLock;
  /** The live table by default; STAGED_TABLE_NAME for a reindex built beside it (lib/vector/staging.ts). */
  tableName?: string;
}

const MAX_LIMIT = 1000;

async function openExisting(db: Connection, name: string): Promise<Table | null> {
  for (let attempt = 1; ; attempt++) {
    if (!(await db.tableNames()).includes(name)) return null;
    try {
      return await db.openTable(name);
    } catch (err) {
      // Listed but without a first version yet: another process is creating it right now.
      if (!/was not found/i.test((err as Error).message) || attempt === 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Opens the table for this embedder, creating it (with its identity and FTS index) on first use. */
export async function openChunkStore(opts: OpenChunkStoreOptions): Promise<ChunkStore> {
  if (!opts.embedderId) throw new Error("openChunkStore needs the embedder id.");
  if (!Number.isInteger(opts.dim) || opts.dim < 1)
    throw new Error(`openChunkStore needs a positive dimension, got ${opts.dim}.`);
  const identity = { embedderId: opts.embedderId, dim: opts.dim };
  const lock = opts.writeLock ?? noWriteLock;
  const name = opts.tableName ?? TABLE_NAME;
  const db = await connectLance(opts.uri);
  let table: Table | null = null;
  try {
    table = await openExisting(db, name);
    if (!table) {
      table = await lock(async () => {
        try {
          return await db.createEmptyTable(name, chunkSchema(identity.embedderId, identity.dim), {
            mode: "create",
            existOk: true,
          });
        } catch (err) {
          // Another process created it between the two calls; its identity is checked below.
          const created = await openExisting(db, name);
          if (!created) throw err;
          return created;
        }
      });
    }
    const opened = table;
    await lock(() => addMissingColumns(opened));
    const store = new LanceChunkStore(
      db,
      table,
      identity,
      opts.vectorIndexThreshold ?? DEFAULT_VECTOR_INDEX_THRESHOLD,
      lock,
      name,
    );
    await store.verifiedTable();
    // A table from before the everyone marker is rewritten once; the rewritten rows are then
    // folded into the indexes at once, since BM25 scores rows outside its index less well.
    const marked = await lock(async () => {
      await ensureFtsIndex(opened);
      return markUnrestrictedRows(opened);
    });
    if (marked > 0) await store.ensureIndexes();
    return store;
  } catch (err) {
    table?.close();
    db.close();
    throw err;
  }
}

/** For reindexing, and for purges while the configured embedder does not match the table. */
export async function openChunkStoreForReset(opts: {
  uri: string;
  writeLock?: WriteLock;
  tableName?: string;
}): Promise<ChunkMaintenance> {
  const db = await connectLance(opts.uri);
  const name = opts.tableName ?? TABLE_NAME;
  return new LanceChunkStore(
    db,
    await openExisting(db, name),
    null,
    DEFAULT_VECTOR_INDEX_THRESHOLD,
    opts.writeLock ?? noWriteLock,
    name,
  );
}

function where(filter: ChunkFilter): string | undefined {
  const parts: string[] = [];
  if (filter.versionId !== undefined) parts.push(`version_id = ${sqlId(filter.versionId, "The version id")}`);
  if (filter.documentId !== undefined) parts.push(`document_id = ${sqlId(filter.documentId, "The document id")}`);
  if (filter.collectionId !== undefined)
    parts.push(`collection_id = ${sqlId(filter.collectionId, "The collection id")}`);
  return parts.length > 0 ? parts.join(" AND ") : undefined;
}

/** The access rule and the effective-date rule together, or null when nothing is readable. */
function searchPredicate(opts: SearchOptions): string | null {
  const access = accessPredicate(opts.access, opts.collectionIds);
  return access ? `${access} AND ${effectivePredicate(opts.effectiveAt ?? Date.now())}` : null;
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new Error(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${limit}.`);
}

class LanceChunkStore implements ChunkStore {
  /** The table version whose schema last matched our identity (see verifiedVersion). */
  private verified: { table: Table; version: number; embedderId: string; dim: number } | null = null;
  private ftsState: { table: Table; version: number; empty: boolean; unindexedRows: number } | null = null;

  constructor(
    private readonly db: Connection,
    private table: Table | null,
    private identity: Identity | null,
    private readonly vectorIndexThreshold: number,
    /** Every commit below runs inside it; never nested (the lock is not re-entrant). */
    private readonly lock: WriteLock,
    private readonly tableName: string,
  ) {}

  get embedderId(): string {
    return this.requireIdentity().embedderId;
  }

  get dim(): number {
    return this.requireIdentity().dim;
  }

  private requireIdentity(): Identity {
    if (!this.identity)
      throw new Error("This chunk store was opened for maintenance only; call reset() before writing or searching.");
    return this.identity;
  }

  /**
   * The table as it is now, checked against our embedder. Another process may have reset the table
   * for a different embedder since we opened it, so the identity is re-read whenever the table's
   * version moved: every commit (a reset included) makes a new version, and asking for the latest
   * version costs a fraction of reading the schema (~0.07 ms against ~0.9 ms locally).
   */
  async verifiedTable(): Promise<Table> {
    return (await this.verifiedVersion()).table;
  }

  private async verifiedVersion(): Promise<{ table: Table; version: number }> {
    const identity = this.requireIdentity();
    const table = this.table;
    if (!table) throw new EmbedderMismatchError({ embedderId: null, dim: null }, identity);
    const version = await table.version();
    const known = this.verified;
    if (
      known &&
      known.table === table &&
      known.version === version &&
      known.embedderId === identity.embedderId &&
      known.dim === identity.dim
    ) {
      return { table, version };
    }
    const stored = readIdentity(await table.schema());
    if (stored.embedderId !== identity.embedderId || stored.dim !== identity.dim)
      throw new EmbedderMismatchError(stored, identity);
    this.verified = { table, version, ...identity };
    return { table, version };
  }

  /**
   * Whether the full-text index covers no row yet (a new table before its first optimize), per table
   * version: it can only change with a commit, so searches between commits skip the index-stats read.
   */
  private async ftsIndexEmpty(table: Table, version: number): Promise<{ empty: boolean; unindexedRows: number }> {
    const known = this.ftsState;
    if (known && known.table === table && known.version === version) return known;
    const stats = await table.indexStats(FTS_INDEX_NAME);
    const state = {
      table,
      version,
      empty: !!stats && stats.numIndexedRows === 0,
      unindexedRows: stats?.numUnindexedRows ?? 0,
    };
    this.ftsState = state;
    return state;
  }

  async replaceVersionChunks(versionId: string, rows: ChunkRow[]): Promise<void> {
    const table = await this.verifiedTable();
    const valid = validateVersionRows(versionId, rows, this.dim);
    if (valid.length === 0) {
      await this.deleteVersion(versionId);
      return;
    }
    const data = makeArrowTable(valid.map(toRecord), { schema: await table.schema() });
    // One commit: matching ids are updated, new ones inserted, and the version's rows that are not
    // in `rows` deleted. Readers see the old set or the new set, never a mix or nothing.
    await this.lock(() =>
      table
        .mergeInsert("id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .whenNotMatchedBySourceDelete({ where: `version_id = ${sqlId(versionId, "The version id")}` })
        .execute(data),
    );
  }

  private async deleteWhere(predicate: string): Promise<number> {
    const table = this.table;
    if (!table) return 0;
    const result = await this.lock(() => table.delete(predicate));
    return result.numDeletedRows;
  }

  async deleteVersion(versionId: string): Promise<number> {
    return this.deleteWhere(`version_id = ${sqlId(versionId, "The version id")}`);
  }

  async deleteDocument(documentId: string): Promise<number> {
    return this.deleteWhere(`document_id = ${sqlId(documentId, "The document id")}`);
  }

  async deleteDocumentVersionsExcept(documentId: string, keepVersionId: string): Promise<number> {
    return this.deleteWhere(
      `document_id = ${sqlId(documentId, "The document id")} AND version_id <> ${sqlId(keepVersionId, "The version id")}`,
    );
  }

  async deleteCollection(collectionId: string): Promise<number> {
    return this.deleteWhere(`collection_id = ${sqlId(collectionId, "The collection id")}`);
  }

  async eraseRemoved(): Promise<void> {
    const table = this.table;
    if (table) await this.lock(() => eraseRemovedRows(table));
  }

  async setDocumentRestriction(documentId: string, groupIds: string[]): Promise<void> {
    const predicate = `document_id = ${sqlId(documentId, "The document id")}`;
    const groups = normalizeIds(groupIds, "A group id");
    if (groups.includes(EVERYONE_GROUP))
      throw new Error(`${EVERYONE_GROUP} is reserved and cannot restrict a document.`);
    const table = this.table;
    if (!table) return;
    await this.lock(() =>
      table.update({
        where: predicate,
        valuesSql: { restricted_to: `make_array(${sqlIdList(groups.length > 0 ? groups : [EVERYONE_GROUP])})` },
      }),
    );
  }

  async setVersionInterval(
    versionId: string,
    { effectiveFromMs, effectiveUntilMs }: { effectiveFromMs: number; effectiveUntilMs: number },
  ): Promise<void> {
    const predicate = `version_id = ${sqlId(versionId, "The version id")}`;
    const ok = (n: number) => Number.isFinite(n) && n >= 0 && n <= OPEN_END_MS;
    if (!ok(effectiveFromMs) || !ok(effectiveUntilMs) || effectiveUntilMs <= effectiveFromMs)
      throw new Error("The effective interval must be epoch milliseconds with from < until.");
    if (!this.table) return;
    await this.table.update({
      where: predicate,
      valuesSql: {
        effective_from_ms: `CAST(${Math.floor(effectiveFromMs).toFixed(0)} AS DOUBLE)`,
        effective_until_ms: `CAST(${Math.floor(effectiveUntilMs).toFixed(0)} AS DOUBLE)`,
      },
    });
  }

  async countRows(filter: ChunkFilter = {}): Promise<number> {
    const predicate = where(filter);
    if (!this.table) return 0;
    return this.table.countRows(predicate);
  }

  async vectorSearch(vector: Float32Array, opts: SearchOptions): Promise<Hit[]> {
    checkLimit(opts.limit);
    const predicate = searchPredicate(opts);
    if (!predicate) return [];
    const table = await this.verifiedTable();
    if (vector.length !== this.dim)
      throw new Error(`The query vector has ${vector.length} values, the index expects ${this.dim}.`);
    // `where` on a vector query is a prefilter unless .postfilter() is called: the limit applies to
    // rows the caller may read, so forbidden rows can neither leak nor crowd out allowed ones.
    const rows = (await table
      .vectorSearch(vector)
      .distanceType(DISTANCE)
      .where(predicate)
      .select([...HIT_COLUMNS, "_distance"])
      .limit(opts.limit)
      .toArray()) as Record<string, unknown>[];
    return rows.map((r) => toHit(r, 1 - Number(r._distance)));
  }

  async textSearch(query: string, opts: SearchOptions & { withVectors: true }): Promise<HitWithVector[]>;
  async textSearch(query: string, opts: SearchOptions): Promise<Hit[]>;
  async textSearch(query: string, opts: SearchOptions & { withVectors?: boolean }): Promise<Hit[] | HitWithVector[]> {
    checkLimit(opts.limit);
    const predicate = searchPredicate(opts);
    const terms = toMatchText(query);
    if (!predicate || !terms) return [];
    const { table, version } = await this.verifiedVersion();
    // LanceDB 0.30: while the FTS index covers no rows yet (a new table before its first optimize)
    // the plan applies the limit without ranking by score. Then every match is fetched and ranked here.
    const fts = await this.ftsIndexEmpty(table, version);
    const fetch = fts.empty ? Math.max(opts.limit, fts.unindexedRows) : opts.limit;
    const columns = opts.withVectors ? [...HIT_COLUMNS, "vector", "_score"] : [...HIT_COLUMNS, "_score"];
    // Full-text search applies `where` before scoring and limiting as well (a prefilter).
    const rows = (await table
      .query()
      .fullTextSearch(new MatchQuery(terms, "text"))
      .where(predicate)
      .select(columns)
      .limit(fetch)
      .toArray()) as Record<string, unknown>[];
    const hits = rows.map((r) =>
      opts.withVectors ? toHitWithVector(r, Number(r._score)) : toHit(r, Number(r._score)),
    );
    return hits.sort((a, b) => b.score - a.score).slice(0, opts.limit);
  }

  async ensureIndexes(): Promise<IndexReport> {
    const table = await this.verifiedTable();
    return this.lock(() => maintainIndexes(table, this.vectorIndexThreshold));
  }

  async reset(embedderId: string, dim: number): Promise<void> {
    if (!embedderId || !Number.isInteger(dim) || dim < 1)
      throw new Error("reset needs an embedder id and a positive dimension.");
    // Overwrite, not drop: another process's open handle moves to the new (empty) version and its
    // next operation meets the new identity instead of a missing directory.
    const table = await this.lock(async () => {
      const fresh = await this.db.createEmptyTable(this.tableName, chunkSchema(embedderId, dim), { mode: "overwrite" });
      await ensureFtsIndex(fresh);
      return fresh;
    });
    this.table?.close();
    this.table = table;
    this.identity = { embedderId, dim };
  }

  async close(): Promise<void> {
    this.table?.close();
    this.table = null;
    this.db.close();
  }
}
