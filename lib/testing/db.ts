import { migrateDatabase, openDatabase, type DatabaseHandle } from "@/db/client";
import { createScratchDatabase } from "./scratch-db";

/**
 * A migrated, empty database for one test file: a fresh database on the Postgres server named
 * by TEST_DATABASE_URL (dropped afterwards), or an in-memory PGlite when it is unset.
 */
export async function createTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const handle = await openDatabase({ memory: true });
    await migrateDatabase(handle);
    return handle;
  }
  const scratch = await createScratchDatabase(adminUrl, "kq_test");
  const handle = await openDatabase({ url: scratch.url, poolMax: 5 });
  await migrateDatabase(handle, scratch.url);
  return {
    ...handle,
    url: scratch.url,
    close: async () => {
      await handle.close();
      await scratch.drop();
    },
  };
}
