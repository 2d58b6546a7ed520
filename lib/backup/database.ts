import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { MIGRATIONS_DIR, queryRows, type Executor } from "@/db/client";
import { BackupError } from "./errors";

// The database as a logical dump: every table of the public schema as JSON lines (row_to_json,
// read back with json_populate_recordset), in foreign-key order, plus the migration level. Plain
// SQL both PGlite and PostgreSQL run, so an archive of either restores onto either. Restoring
// only INSERTs, which the audit trail's triggers allow (they refuse UPDATE, DELETE and TRUNCATE),
// so the chain is loaded exactly as it was and verifies afterwards.

const PAGE_ROWS = 1000;
const INSERT_BATCH_BYTES = 4 * 1024 * 1024;

export interface TableInfo {
  name: string;
  columns: string[];
}

export interface MigrationLevel {
  tag: string;
  hash: string;
  when: number;
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new BackupError(`Unexpected table or column name: ${name}`);
  return `"${name}"`;
}

/** Public tables, parents before children, with their insertable columns. */
export async function listTables(db: Executor): Promise<TableInfo[]> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname`,
  );
  const edges = await queryRows<{ child: string; parent: string }>(
    db,
    sql`select cc.relname as child, pc.relname as parent from pg_constraint k
        join pg_class cc on cc.oid = k.conrelid join pg_class pc on pc.oid = k.confrelid
        join pg_namespace n on n.oid = cc.relnamespace
        where k.contype = 'f' and n.nspname = 'public' and k.conrelid <> k.confrelid`,
  );
  const columns = await queryRows<{ table: string; column: string }>(
    db,
    sql`select c.relname as "table", a.attname as "column" from pg_attribute a
        join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        order by c.relname, a.attnum`,
  );
  const parents = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  for (const e of edges) parents.get(e.child)?.add(e.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t.name) && [...parents.get(t.name)!].every((p) => placed.has(p)));
    if (ready.length === 0)
      throw new BackupError("The database's foreign keys form a cycle; it cannot be dumped in order.");
    for (const t of ready) {
      placed.add(t.name);
      ordered.push(t.name);
    }
  }
  return ordered.map((name) => ({
    name,
    columns: columns.filter((c) => c.table === name).map((c) => c.column),
  }));
}

/** A table's rows as JSON lines, a page at a time in physical order (stable within the snapshot). */
export async function* dumpTable(db: Executor, table: TableInfo, counter: { rows: number }): AsyncGenerator<Buffer> {
  let after = "(0,0)";
  for (;;) {
    const rows = await queryRows<{ c: string; j: string }>(
      db,
      sql`select t.ctid::text as c, row_to_json(t)::text as j from ${sql.raw(ident(table.name))} t
          where t.ctid > ${after}::tid order by t.ctid limit ${PAGE_ROWS}`,
    );
    if (rows.length === 0) return;
    counter.rows += rows.length;
    after = rows[rows.length - 1]!.c;
    yield Buffer.from(rows.map((r) => r.j).join("\n") + "\n", "utf8");
  }
}

/** The migrations this database has applied, named by the journal of this release. */
export async function migrationLevel(db: Executor): Promise<MigrationLevel[]> {
  const applied = await queryRows<{ hash: string; created_at: string | number }>(
    db,
    sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at`,
  );
  const journal = readJournal();
  return applied.map((a) => {
    const when = Number(a.created_at);
    return { tag: journal.find((j) => j.when === when)?.tag ?? `unknown-${when}`, hash: a.hash, when };
  });
}

function readJournal(dir = MIGRATIONS_DIR): { tag: string; when: number }[] {
  const journal = JSON.parse(fs.readFileSync(path.join(dir, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries;
}

/**
 * A migrations folder holding exactly the archive's migrations, so the restored schema is the
 * one the rows were dumped from; the release's later migrations run after the rows are in.
 * Refuses an archive whose migrations this release does not have (made by a newer release).
 */
export function migrationsUpTo(level: MigrationLevel[]): { dir: string; cleanup(): void } {
  const ours = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  const journal = readJournal();
  level.forEach((m, i) => {
    const mine = ours[i];
    if (!mine || mine.folderMillis !== m.when || mine.hash !== m.hash)
      throw new BackupError(
        `The archive's database is at migration ${m.tag}, which this release ${mine ? "has in another form" : "does not have"}: restore it with the release that made it (or a later one).`,
      );
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-restore-migrations-"));
  fs.mkdirSync(path.join(dir, "meta"));
  const entries = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  fs.writeFileSync(
    path.join(dir, "meta", "_journal.json"),
    JSON.stringify({ ...entries, entries: entries.entries.slice(0, level.length) }),
  );
  for (const entry of journal.slice(0, level.length))
    fs.copyFileSync(path.join(MIGRATIONS_DIR, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** True when the database holds none of this product's tables (a safe restore target). */
export async function isEmptyDatabase(db: Executor): Promise<boolean> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname in ('public', 'drizzle') and c.relkind in ('r', 'p')`,
  );
  return row!.n === 0;
}

/** Loads one table's JSON lines; every line must be a JSON object. */
export async function loadTable(db: Executor, table: TableInfo, body: AsyncIterable<Buffer>): Promise<number> {
  const columns = table.columns.map(ident).join(", ");
  const target = ident(table.name);
  let batch: string[] = [];
  let batchBytes = 0;
  let rows = 0;
  let carry = "";
  const flush = async () => {
    if (batch.length === 0) return;
    const json = `[${batch.join(",")}]`;
    await db.execute(
      sql`insert into ${sql.raw(target)} (${sql.raw(columns)})
          select ${sql.raw(columns)} from json_populate_recordset(null::${sql.raw(target)}, ${json}::json)`,
    );
    batch = [];
    batchBytes = 0;
  };
  for await (const piece of body) {
    const text = carry + piece.toString("utf8");
    const lines = text.split("\n");
    carry = lines.pop()!;
    for (const line of lines) {
      if (line === "") continue;
      if (!line.startsWith("{"))
        throw new BackupError(`A row of table ${table.name} in the archive is not a JSON object.`);
      batch.push(line);
      batchBytes += line.length;
      rows++;
      if (batchBytes >= INSERT_BATCH_BYTES) await flush();
    }
  }
  if (carry !== "") throw new BackupError(`The rows of table ${table.name} in the archive end without a newline.`);
  await flush();
  return rows;
}

/** Moves every serial sequence past the restored rows, so new rows do not collide with them. */
export async function resetSequences(db: Executor): Promise<void> {
  const serials = await queryRows<{ table: string; column: string }>(
    db,
    sql`select table_name as "table", column_name as "column" from information_schema.columns
        where table_schema = 'public' and column_default like 'nextval(%'`,
  );
  for (const s of serials) {
    const t = ident(s.table);
    const c = ident(s.column);
    await db.execute(
      sql.raw(
        `select setval(pg_get_serial_sequence('${t}', '${s.column}'), coalesce((select max(${c}) from ${t}), 0) + 1, false)`,
      ),
    );
  }
}
