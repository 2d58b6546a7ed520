import { migrateDatabase, openDatabase, type Database } from "@/db/client";
import { readLock } from "@/db/embedded-lock";
import { runOperation, runStreamOperation } from "@/lib/cli/operations";
import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { readControlInfo } from "@/lib/server/control";

// Chooses where operations run. Postgres: here, over a connection of our own. Embedded:
// inside the running server if one owns DATA_DIR (PGlite allows one process), else here.

export interface Session {
  /** Runs in this process (true) or in the server that owns the embedded database (false). */
  local: boolean;
  /** This process's database, when local. */
  db?: Database;
  run(operation: string, input: unknown): Promise<unknown>;
}

export async function withSession<T>(e: Env, fn: (session: Session) => Promise<T>): Promise<T> {
  if (!e.DATABASE_URL) {
    const holder = readLock(e.dataDir);
    if (holder?.owner === "server") return fn({ local: false, run: (op, input) => executeRemote(e, op, input) });
  }
  const handle = e.DATABASE_URL
    ? await openDatabase({ url: e.DATABASE_URL, poolMax: 4 })
    : await openDatabase({ dataDir: e.dataDir, owner: "cli" });
  try {
    await migrateDatabase(handle, e.DATABASE_MIGRATION_URL ?? e.DATABASE_URL);
    return await fn({ local: true, db: handle.db, run: (op, input) => runOperation(handle.db, op, input) });
  } finally {
    await handle.close();
  }
}

export async function execute(e: Env, operation: string, input: unknown): Promise<unknown> {
  return withSession(e, (s) => s.run(operation, input));
}

/**
 * Runs an operation whose result is a file, handing each chunk to `sink` as it arrives (from this
 * process, or streamed from the server that owns the embedded database). Returns the file name.
 */
export async function executeStream(
  e: Env,
  operation: string,
  input: unknown,
  sink: (chunk: Uint8Array) => Promise<void>,
): Promise<string> {
  if (!e.DATABASE_URL) {
    const holder = readLock(e.dataDir);
    if (holder?.owner === "server") {
      const res = await postToServer(e, operation, input);
      if (!res.ok || !res.body) {
        const body = (await res.json()) as { error?: { code: string; message: string } };
        throw new AppError(
          (body.error?.code as never) ?? "internal",
          body.error?.message ?? `The server answered ${res.status}.`,
        );
      }
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) await sink(chunk);
      return res.headers.get("x-file-name") ?? "export";
    }
  }
  return withSession(e, async (s) => {
    const file = await runStreamOperation(s.db!, operation, input);
    for await (const chunk of file.chunks) await sink(chunk);
    return file.fileName;
  });
}

async function postToServer(e: Env, operation: string, input: unknown): Promise<Response> {
  const control = readControlInfo(e.dataDir);
  if (!control) {
    throw new AppError(
      "unavailable",
      `The server that owns ${e.dataDir} is still starting; try again in a few seconds.`,
    );
  }
  try {
    return await fetch(`http://127.0.0.1:${control.port}/api/internal/cli`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-control-token": control.token },
      body: JSON.stringify({ operation, input }),
    });
  } catch (err) {
    throw new AppError(
      "unavailable",
      `The server (pid ${control.pid}) owns the embedded database but does not answer on port ${control.port}.`,
      { cause: err },
    );
  }
}

async function executeRemote(e: Env, operation: string, input: unknown): Promise<unknown> {
  const res = await postToServer(e, operation, input);
  const body = (await res.json()) as { result?: unknown; error?: { code: string; message: string } };
  if (!res.ok || body.error) {
    throw new AppError(
      (body.error?.code as never) ?? "internal",
      body.error?.message ?? `The server answered ${res.status}.`,
    );
  }
  return body.result;
}
