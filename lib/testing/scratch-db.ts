import { randomBytes } from "node:crypto";
import pg from "pg";

// A fresh, empty database on a PostgreSQL server, for a test file, a benchmark or a cluster test,
// and dropped (connections and all) when done. Its name says what made it.

export interface ScratchDatabase {
  name: string;
  /** The server's URL with this database's name in it. */
  url: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString("hex")}`;
  await withClient(serverUrl, (c) => c.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withClient(serverUrl, (c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}
