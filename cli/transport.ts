import { migrateDatabase, openDatabase } from "@/db/client";
import { readLock } from "@/db/embedded-lock";
import { runOperation } from "@/lib/cli/operations";
import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { readControlInfo } from "@/lib/server/control";

// Chooses where an operation runs. Postgres: here, over a connection of our own. Embedded:
// inside the running server if one owns DATA_DIR (PGlite allows one process), else here.

export async function execute(e: Env, operation: string, input: unknown): Promise<unknown> {
  if (!e.DATABASE_URL) {
    const holder = readLock(e.dataDir);
    if (holder?.owner === "server") return executeRemote(e, operation, input);
  }
  const handle = e.DATABASE_URL
    ? await openDatabase({ url: e.DATABASE_URL, poolMax: 2 })
    : await openDatabase({ dataDir: e.dataDir, owner: "cli" });
  try {
    await migrateDatabase(handle, e.DATABASE_URL);
    return await runOperation(handle.db, operation, input);
  } finally {
    await handle.close();
  }
}

async function executeRemote(e: Env, operation: string, input: unknown): Promise<unknown> {
  const control = readControlInfo(e.dataDir);
  if (!control) {
    throw new AppError("unavailable", `The server that owns ${e.dataDir} is still starting; try again in a few seconds.`);
  }
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${control.port}/api/internal/cli`, {
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
  const body = (await res.json()) as { result?: unknown; error?: { code: string; message: string } };
  if (!res.ok || body.error) {
    throw new AppError(
      (body.error?.code as never) ?? "internal",
      body.error?.message ?? `The server answered ${res.status}.`,
    );
  }
  return body.result;
}
