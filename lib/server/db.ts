import "server-only";
import { env } from "@/lib/env";
import { migrateDatabase, openDatabase, type Database, type DatabaseHandle } from "@/db/client";

// The server's one database handle. Kept on globalThis because Next.js may evaluate this
// module more than once in a process (instrumentation, route and page bundles), and PGlite
// must be opened exactly once.

const KEY = Symbol.for("knowledge-qa.database");
type Holder = { [KEY]?: Promise<DatabaseHandle> };

async function init(): Promise<DatabaseHandle> {
  const e = env();
  const handle = e.DATABASE_URL
    ? await openDatabase({ url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX })
    : await openDatabase({ dataDir: e.dataDir, owner: "server" });
  try {
    await migrateDatabase(handle, e.DATABASE_MIGRATION_URL ?? e.DATABASE_URL);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

export async function getDatabaseHandle(): Promise<DatabaseHandle> {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const pending = init();
    holder[KEY] = pending;
    // A failed start (server not up yet, say) must be retried on the next request.
    pending.catch(() => {
      if (holder[KEY] === pending) delete holder[KEY];
    });
  }
  return holder[KEY];
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db;
}

export async function closeDb(): Promise<void> {
  const holder = globalThis as Holder;
  const pending = holder[KEY];
  delete holder[KEY];
  if (pending) await (await pending).close();
}
