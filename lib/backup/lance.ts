import "server-only";
import { makeArrowTable, type Connection, type Table } from "@lancedb/lancedb";
import { chunkSchema, META_EMBEDDER_DIM, META_EMBEDDER_ID, TABLE_NAME } from "@/lib/vector/chunk-schema";
import { DEFAULT_VECTOR_INDEX_THRESHOLD, maintainIndexes } from "@/lib/vector/indexes";
import { BackupError } from "./errors";

// The LanceDB chunk table at one version, as JSON lines (vectors as base64 float32): its schema's
// metadata (the embedder identity), then the rows, batch by batch. Restoring writes a new table
// with this release's chunk schema and builds its indexes again, so an archive depends neither on
// Lance's file layout nor on which copy of apache-arrow handed the rows over.

const ADD_BATCH_ROWS = 2000;

export interface LanceSnapshot {
  table: Table;
  version: number;
}

export interface LanceSchemaEntry {
  metadata: Record<string, string>;
  fields: string[];
}

/** Pins the chunk table at its current version, or null when nothing was ever indexed. */
export async function pinChunkTable(db: Connection): Promise<LanceSnapshot | null> {
  if (!(await db.tableNames()).includes(TABLE_NAME)) return null;
  const table = await db.openTable(TABLE_NAME);
  const version = await table.version();
  await table.checkout(version);
  return { table, version };
}

export async function schemaEntry(snapshot: LanceSnapshot): Promise<Buffer> {
  const schema = await snapshot.table.schema();
  const entry: LanceSchemaEntry = {
    metadata: Object.fromEntries(schema.metadata),
    fields: schema.fields.map((f) => f.name),
  };
  return Buffer.from(JSON.stringify(entry), "utf8");
}

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "object" && typeof (value as { toArray?: unknown }).toArray === "function") {
    const items = (value as { toArray(): ArrayLike<unknown> }).toArray();
    if (items instanceof Float32Array)
      return { $f32: Buffer.from(items.buffer, items.byteOffset, items.byteLength).toString("base64") };
    return Array.from(items, plain);
  }
  return value;
}

function revive(value: unknown): unknown {
  if (value && typeof value === "object" && "$f32" in value) {
    const bytes = Buffer.from(String((value as { $f32: string }).$f32), "base64");
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  return value;
}

/** The pinned version's rows, one JSON object a line. */
export async function* dumpChunks(snapshot: LanceSnapshot, counter: { rows: number }): AsyncGenerator<Buffer> {
  const fields = (await snapshot.table.schema()).fields.map((f) => f.name);
  for await (const batch of snapshot.table.query() as AsyncIterable<{ numRows: number; get(i: number): unknown }>) {
    const lines: string[] = [];
    for (let i = 0; i < batch.numRows; i++) {
      const row = batch.get(i) as Record<string, unknown>;
      lines.push(JSON.stringify(Object.fromEntries(fields.map((f) => [f, plain(row[f])]))));
    }
    if (lines.length === 0) continue;
    counter.rows += lines.length;
    yield Buffer.from(lines.join("\n") + "\n", "utf8");
  }
}

/** Creates the chunk table from an archive's rows, then builds its indexes. */
export async function restoreChunks(
  db: Connection,
  schema: LanceSchemaEntry,
  body: AsyncIterable<Buffer>,
): Promise<{ rows: number }> {
  const embedderId = schema.metadata[META_EMBEDDER_ID];
  const dim = Number(schema.metadata[META_EMBEDDER_DIM]);
  if (!embedderId || !Number.isInteger(dim) || dim < 1)
    throw new BackupError("The archive's chunk table does not record its embedder (id and dimension).");
  const table = await db.createEmptyTable(TABLE_NAME, chunkSchema(embedderId, dim), { mode: "create" });
  let rows = 0;
  try {
    const target = await table.schema();
    const columns = target.fields.map((f) => f.name);
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await table.add(makeArrowTable(batch, { schema: target }));
      batch = [];
    };
    let carry = "";
    for await (const piece of body) {
      const lines = (carry + piece.toString("utf8")).split("\n");
      carry = lines.pop()!;
      for (const line of lines) {
        if (line === "") continue;
        const raw = JSON.parse(line) as Record<string, unknown>;
        // A column this release added since the archive was made starts empty, as on upgrade.
        batch.push(Object.fromEntries(columns.map((c) => [c, revive(raw[c] ?? null)])));
        rows++;
        if (batch.length >= ADD_BATCH_ROWS) await flush();
      }
    }
    if (carry !== "") throw new BackupError("The archive's chunk rows end without a newline.");
    await flush();
    await maintainIndexes(table, DEFAULT_VECTOR_INDEX_THRESHOLD);
  } finally {
    table.close();
  }
  return { rows };
}
