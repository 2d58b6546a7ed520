import "server-only";
import { makeArrowTable, type Connection } from "@lancedb/lancedb";
import { chunkSchema, readIdentity, TABLE_NAME } from "./chunk-schema";
import { connectLance } from "./lance-runtime";
import { openChunkStore, openChunkStoreForReset, type ChunkStore } from "./store";
import { noWriteLock, type WriteLock } from "./write-lock";

// A reindex built beside the live table (docs/adr/0032): the staged table has the same schema and
// its own embedder identity, is searched only by evaluations, and becomes the live table in one
// commit when an operator swaps it in. The live table keeps serving, with its own embedder, until then.

export const STAGED_TABLE_NAME = "chunks_staged";

export interface IndexLocation {
  /** A directory (DATA_DIR/lance) or an object-store URI (LANCEDB_URI). */
  uri: string;
  writeLock?: WriteLock;
}

export interface StagedIndexInfo {
  embedderId: string;
  dim: number;
  rows: number;
}

async function withConnection<T>(uri: string, fn: (db: Connection) => Promise<T>): Promise<T> {
  const db = await connectLance(uri);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** The staged table's embedder and size, or null when nothing is staged. */
export function stagedIndexInfo(where: IndexLocation): Promise<StagedIndexInfo | null> {
  return tableInfo(where, STAGED_TABLE_NAME);
}

/** The live table's embedder and size, or null before the first document. */
export function liveIndexInfo(where: IndexLocation): Promise<StagedIndexInfo | null> {
  return tableInfo(where, TABLE_NAME);
}

async function tableInfo(where: IndexLocation, name: string): Promise<StagedIndexInfo | null> {
  return withConnection(where.uri, async (db) => {
    if (!(await db.tableNames()).includes(name)) return null;
    const table = await db.openTable(name);
    try {
      const identity = readIdentity(await table.schema());
      if (identity.embedderId === null || identity.dim === null) return null;
      return { embedderId: identity.embedderId, dim: identity.dim, rows: await table.countRows() };
    } finally {
      table.close();
    }
  });
}

/** Empties the staged table (creating it if need be) for this embedder, and opens it for writing. */
export async function openFreshStagedStore(
  where: IndexLocation,
  identity: { embedderId: string; dim: number },
): Promise<ChunkStore> {
  const maintenance = await openChunkStoreForReset({ ...where, tableName: STAGED_TABLE_NAME });
  try {
    await maintenance.reset(identity.embedderId, identity.dim);
  } finally {
    await maintenance.close();
  }
  return openStagedStore(where, identity);
}

/** The staged table for searching (an evaluation) or reconciling; refused if another embedder built it. */
export function openStagedStore(
  where: IndexLocation,
  identity: { embedderId: string; dim: number },
): Promise<ChunkStore> {
  return openChunkStore({ ...where, ...identity, tableName: STAGED_TABLE_NAME });
}

/** Per staged version: its document and the restriction and interval its rows carry. */
export interface StagedVersionFacts {
  documentId: string;
  restrictedTo: string[];
  effectiveFromMs: number;
  effectiveUntilMs: number;
}

type ArrowValue = { toArray(): ArrayLike<unknown> };
const isList = (v: unknown): v is ArrowValue =>
  typeof v === "object" && v !== null && typeof (v as ArrowValue).toArray === "function";

/** An Arrow row as plain values, lists as arrays and the vector as a Float32Array. */
function plainRecord(row: { toJSON(): Record<string, unknown> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row.toJSON())) {
    if (!isList(value)) out[key] = value;
    else if (key === "vector") out[key] = Float32Array.from(value.toArray() as ArrayLike<number>);
    else out[key] = Array.from(value.toArray());
  }
  return out;
}

export async function stagedVersionFacts(where: IndexLocation): Promise<Map<string, StagedVersionFacts>> {
  return withConnection(where.uri, async (db) => {
    const table = await db.openTable(STAGED_TABLE_NAME);
    try {
      const rows = await table
        .query()
        .select(["version_id", "document_id", "restricted_to", "effective_from_ms", "effective_until_ms"])
        .toArray();
      const out = new Map<string, StagedVersionFacts>();
      for (const row of rows) {
        const r = plainRecord(row as { toJSON(): Record<string, unknown> });
        out.set(String(r.version_id), {
          documentId: String(r.document_id),
          restrictedTo: (r.restricted_to as unknown[]).map(String),
          effectiveFromMs: Number(r.effective_from_ms),
          effectiveUntilMs: Number(r.effective_until_ms),
        });
      }
      return out;
    } finally {
      table.close();
    }
  });
}

/**
 * Makes the staged rows the live table in one commit, so a search sees either every old row or
 * every new one, then drops the staged table and builds the live table's indexes. The rows pass
 * through memory once (about 2.5 KB a chunk with 512-dim vectors). Processes still holding the old
 * embedder refuse to search or write from the next call on (EmbedderMismatchError), never mixing.
 */
export async function promoteStagedIndex(where: IndexLocation): Promise<StagedIndexInfo> {
  const lock = where.writeLock ?? noWriteLock;
  const promoted = await withConnection(where.uri, async (db) => {
    const staged = await db.openTable(STAGED_TABLE_NAME);
    let identity;
    let rows;
    try {
      identity = readIdentity(await staged.schema());
      rows = (await staged.query().toArray()).map((r) => plainRecord(r as { toJSON(): Record<string, unknown> }));
    } finally {
      staged.close();
    }
    const { embedderId, dim } = identity;
    if (embedderId === null || dim === null) throw new Error("The staged index has no embedder identity.");
    const schema = chunkSchema(embedderId, dim);
    await lock(async () => {
      const live =
        rows.length > 0
          ? await db.createTable(TABLE_NAME, makeArrowTable(rows, { schema }), { mode: "overwrite" })
          : await db.createEmptyTable(TABLE_NAME, schema, { mode: "overwrite" });
      live.close();
      await db.dropTable(STAGED_TABLE_NAME);
    });
    return { embedderId, dim, rows: rows.length };
  });
  const live = await openChunkStore({ ...where, embedderId: promoted.embedderId, dim: promoted.dim });
  try {
    await live.ensureIndexes();
  } finally {
    await live.close();
  }
  return promoted;
}

/** Drops the staged table; the live one is untouched. Returns whether one existed. */
export async function discardStagedIndex(where: IndexLocation): Promise<boolean> {
  const lock = where.writeLock ?? noWriteLock;
  return withConnection(where.uri, async (db) => {
    if (!(await db.tableNames()).includes(STAGED_TABLE_NAME)) return false;
    await lock(() => db.dropTable(STAGED_TABLE_NAME));
    return true;
  });
}
