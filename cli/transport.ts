import http from "node:http";
import { migrateDatabase, openDatabase, type Database } from "@/db/client";
import { readLock } from "@/db/embedded-lock";
import { runOperation, runStreamOperation } from "@/lib/cli/operations";
import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { controlSocketPath } from "@/lib/server/control";

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
    if (holder?.owner === "server")
      return fn({ local: false, run: (op, input) => executeRemote(e, holder.pid, op, input) });
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
      const res = await postToServer(e, holder.pid, operation, input);
      if (res.statusCode !== 200) throw await errorOf(res);
      // A server that fails mid-file cuts the connection: the loop throws, so no partial file passes as whole.
      for await (const chunk of res) await sink(chunk as Buffer);
      const name = res.headers["x-file-name"];
      return typeof name === "string" ? name : "export";
    }
  }
  return withSession(e, async (s) => {
    const file = await runStreamOperation(s.db!, operation, input);
    for await (const chunk of file.chunks) await sink(chunk);
    return file.fileName;
  });
}

/** Sends one operation over the server's control socket (lib/server/control.ts). */
function postToServer(e: Env, pid: number, operation: string, input: unknown): Promise<http.IncomingMessage> {
  const socketPath = controlSocketPath(e.dataDir);
  const body = JSON.stringify({ operation, input });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method: "POST",
        path: "/",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      resolve,
    );
    req.once("error", (err: NodeJS.ErrnoException) => reject(unreachable(e.dataDir, socketPath, pid, err)));
    req.end(body);
  });
}

function unreachable(dataDir: string, socketPath: string, pid: number, err: NodeJS.ErrnoException): AppError {
  switch (err.code) {
    case "ENOENT":
      return new AppError(
        "unavailable",
        `The server (pid ${pid}) that owns ${dataDir} is still starting; try again in a few seconds.`,
        { cause: err, expose: true },
      );
    case "EACCES":
      return new AppError(
        "forbidden",
        `Permission denied on ${socketPath}: only the user the server runs as may send it commands. Run the CLI as that user.`,
        { cause: err },
      );
    default:
      return new AppError(
        "unavailable",
        `The server (pid ${pid}) owns the embedded database but does not answer on ${socketPath} (${err.code ?? err.message}).`,
        { cause: err, expose: true },
      );
  }
}

async function errorOf(res: http.IncomingMessage): Promise<AppError> {
  const parts: Buffer[] = [];
  for await (const part of res) parts.push(part as Buffer);
  let body: { error?: { code: string; message: string } } = {};
  try {
    body = JSON.parse(Buffer.concat(parts).toString("utf8")) as typeof body;
  } catch (err) {
    return new AppError("internal", `The server answered ${res.statusCode} with a body that is not JSON.`, {
      cause: err,
    });
  }
  return new AppError(
    (body.error?.code as never) ?? "internal",
    body.error?.message ?? `The server answered ${res.statusCode}.`,
  );
}

async function executeRemote(e: Env, pid: number, operation: string, input: unknown): Promise<unknown> {
  const res = await postToServer(e, pid, operation, input);
  if (res.statusCode !== 200) throw await errorOf(res);
  const parts: Buffer[] = [];
  for await (const part of res) parts.push(part as Buffer);
  return (JSON.parse(Buffer.concat(parts).toString("utf8")) as { result?: unknown }).result;
}
