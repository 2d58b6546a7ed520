import "server-only";
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "./schema";
import { acquireLock, type LockOwner } from "./embedded-lock";
import { makeOwnerOnly } from "./owner-only";

// One schema, one migration set, two drivers: node-postgres against a real server when a URL
// is given, embedded PGlite in DATA_DIR/pg otherwise.

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** Anything queries can run on: the database or an open transaction. */
export type Executor = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.join(process.cwd(), "db", "migrations");
// Any constant works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK_KEY = 7_402_117_731;

export type OpenOptions = { url: string; poolMax?: number } | { dataDir: string; owner: LockOwner } | { memory: true };

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if ("url" in options) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax ?? 10 });
    // An idle client that loses its server must not crash the process.
    pool.on("error", (err) => process.stderr.write(`postgres pool error: ${err.message}\n`));
    const db = drizzlePg(pool, { schema, casing: "snake_case" }) as unknown as Database;
    return { db, kind: "postgres", close: () => pool.end() };
  }
  if ("memory" in options) {
    const client = await PGlite.create();
    const db = drizzlePglite(client, { schema, casing: "snake_case" }) as unknown as Database;
    return { db, kind: "pglite", close: () => client.close() };
  }
  const release = acquireLock(options.dataDir, options.owner);
  try {
    const dir = path.join(options.dataDir, "pg");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const client = await PGlite.create(dir);
    makeOwnerOnly(dir);
    const db = drizzlePglite(client, { schema, casing: "snake_case" }) as unknown as Database;
    return {
      db,
      kind: "pglite",
      close: async () => {
        try {
          await client.close();
          makeOwnerOnly(dir);
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Applies pending migrations; serialised across processes on a shared server. */
export async function migrateDatabase(
  handle: DatabaseHandle,
  url?: string,
  /** Another folder: a restore first migrates only as far as the archive's database was. */
  migrationsFolder = MIGRATIONS_DIR,
): Promise<void> {
  if (handle.kind === "pglite") {
    await migratePglite(handle.db as never, { migrationsFolder });
    return;
  }
  if (!url) throw new Error("migrateDatabase needs the connection URL for a Postgres database");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
  } finally {
    // Ending the session releases the advisory lock, also when migrating failed.
    await client.end();
  }
}

/** Runs raw SQL and returns its rows; both drivers answer with `{ rows }`. */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
