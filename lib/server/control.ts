import "server-only";
import fs from "node:fs";
import path from "node:path";
import { randomBytes, timingSafeEqual } from "node:crypto";

// In embedded mode the server owns the PGlite directory, so the CLI sends its commands to the
// server instead of opening the database. It proves it may do so by reading a token that the
// server writes, readable by the server's user only, next to the data (whoever can read that
// file can read the database files anyway).

export interface ControlInfo {
  pid: number;
  port: number;
  token: string;
}

export function controlFile(dataDir: string): string {
  return path.join(dataDir, "run", "control.json");
}

const KEY = Symbol.for("knowledge-qa.control-token");
type Holder = { [KEY]?: string };

export function publishControlInfo(dataDir: string, port: number): void {
  const token = randomBytes(32).toString("base64url");
  (globalThis as Holder)[KEY] = token;
  const file = controlFile(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, port, token } satisfies ControlInfo), { mode: 0o600 });
  fs.renameSync(tmp, file);
  process.once("exit", () => {
    try {
      const current = JSON.parse(fs.readFileSync(file, "utf8")) as ControlInfo;
      if (current.pid === process.pid) fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        process.stderr.write(`could not remove ${file}: ${String(err)}\n`);
    }
  });
}

export function readControlInfo(dataDir: string): ControlInfo | null {
  try {
    return JSON.parse(fs.readFileSync(controlFile(dataDir), "utf8")) as ControlInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export function isValidControlToken(candidate: string | null): boolean {
  const token = (globalThis as Holder)[KEY];
  if (!token || !candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
