import "server-only";
import type { Table } from "@lancedb/lancedb";
import { log } from "@/lib/log";
import { ADDED_COLUMNS } from "./chunk-schema";

// A chunk table created by an earlier release lacks the columns added since; they are added (with
// the value old rows mean) when a process opens it, so searches can select them and writes can
// fill them. Several processes may open the table at once: a column another one added in the
// meantime is no failure.

export async function addMissingColumns(table: Table): Promise<string[]> {
  const present = new Set((await table.schema()).fields.map((f) => f.name));
  const missing = ADDED_COLUMNS.filter((c) => !present.has(c.name));
  if (missing.length === 0) return [];
  try {
    await table.addColumns(missing);
  } catch (err) {
    const now = new Set((await table.schema()).fields.map((f) => f.name));
    if (!missing.every((c) => now.has(c.name))) throw err;
  }
  log.info("added columns to the chunk table", { columns: missing.map((c) => c.name) });
  return missing.map((c) => c.name);
}
