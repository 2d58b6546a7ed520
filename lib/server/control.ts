import "server-only";
import { once } from "node:events";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { AppError, toAppError } from "@/lib/errors";
import { log } from "@/lib/log";

// In embedded mode the server owns the PGlite directory, so the CLI sends its commands to the
// server instead of opening the database. They travel over a Unix socket in DATA_DIR/run, never
// the public HTTP port: nothing reachable over the network can create an administrator. The
// socket is 0600 in a 0700 directory, so only the server's own user (who can read the database
// files anyway) can connect; the kernel checks that on connect, so no token is needed.

export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, "run", "control.sock");
}

/** What one control request produces: a JSON value, or a file streamed chunk by chunk. */
export type ControlAnswer =
  | { kind: "json"; result: unknown }
  | { kind: "file"; fileName: string; contentType: string; chunks: AsyncGenerator<Uint8Array> };

export type ControlHandler = (operation: string, input: unknown) => Promise<ControlAnswer>;

export interface ControlChannel {
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Listens on DATA_DIR/run/control.sock. Only the process that holds the embedded database's lock
 * calls this, so a socket file already there is a leftover of a server that died, and is replaced.
 */
export async function listenForControl(dataDir: string, handler: ControlHandler): Promise<ControlChannel> {
  const socketPath = controlSocketPath(dataDir);
  const dir = path.dirname(socketPath);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode only applies to a directory it creates; an older one may be looser.
  fs.chmodSync(dir, 0o700);
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    void serve(handler, req, res);
  });
  server.listen(socketPath);
  await once(server, "listening");
  // Connecting needs write permission on the socket; the 0700 directory already kept everyone
  // else out in the moment between bind() and this chmod.
  fs.chmodSync(socketPath, 0o600);
  const removeOnExit = () => fs.rmSync(socketPath, { force: true });
  process.once("exit", removeOnExit);
  return {
    socketPath,
    close: async () => {
      process.off("exit", removeOnExit);
      server.close();
      server.closeAllConnections();
      await once(server, "close");
      fs.rmSync(socketPath, { force: true });
    },
  };
}

async function readBody(req: http.IncomingMessage): Promise<{ operation: string; input: unknown }> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(parts).toString("utf8"));
  } catch (err) {
    throw new AppError("invalid_request", "The control request is not JSON.", { cause: err });
  }
  const { operation, input } = (body ?? {}) as { operation?: unknown; input?: unknown };
  if (typeof operation !== "string") throw new AppError("invalid_request", "The control request names no operation.");
  return { operation, input };
}

async function serve(handler: ControlHandler, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let answer: ControlAnswer;
  try {
    if (req.method !== "POST") throw new AppError("not_found", "The control channel takes POST only.");
    const { operation, input } = await readBody(req);
    answer = await handler(operation, input);
  } catch (err) {
    const appError = toAppError(err);
    if (!appError.expose) log.error("control request failed", { code: appError.code, err: appError.cause ?? appError });
    res.writeHead(appError.status, { "content-type": "application/json" });
    res.end(JSON.stringify(appError.toJSON()));
    return;
  }
  if (answer.kind === "json") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ result: answer.result }));
    return;
  }
  res.writeHead(200, { "content-type": answer.contentType, "x-file-name": answer.fileName });
  try {
    // Leaving the loop (the CLI went away) ends the producer, releasing its transaction.
    for await (const chunk of answer.chunks) {
      if (res.destroyed) break;
      if (!res.write(chunk)) await Promise.race([once(res, "drain"), once(res, "close")]);
    }
    if (!res.destroyed) res.end();
  } catch (err) {
    // The status line is sent: cutting the connection is how the CLI learns the file is incomplete.
    log.error("control stream failed", { err });
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}
