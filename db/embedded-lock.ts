import "server-only";
import fs from "node:fs";
import path from "node:path";

// PGlite is single-process: two processes opening the same directory corrupt it. Whoever
// opens DATA_DIR/pg first writes this lock with its pid; everyone else reads it to learn who
// owns the database (a running server, which the CLI then talks to, or another CLI).

export type LockOwner = "server" | "cli";
export interface LockInfo {
  pid: number;
  owner: LockOwner;
  startedAt: string;
}

export function lockPath(dataDir: string): string {
  return path.join(dataDir, "pg.lock");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function readLock(dataDir: string): LockInfo | null {
  let raw: string;
  try {
    raw = fs.readFileSync(lockPath(dataDir), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let info: LockInfo;
  try {
    info = JSON.parse(raw) as LockInfo;
  } catch {
    // A lock file cut short by a crash while it was written: its writer is gone.
    return null;
  }
  if (typeof info.pid !== "number" || !isAlive(info.pid)) return null;
  return info;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LockInfo,
    dataDir: string,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by ${holder.owner === "server" ? "the server" : "a CLI command"} (pid ${holder.pid}). ` +
        (holder.owner === "server"
          ? "Stop the server first, or run the command through the CLI, which talks to the running server."
          : "Wait for that command to finish and try again."),
    );
    this.name = "LockHeldError";
  }
}

/**
 * Takes the lock for this process or throws LockHeldError naming the holder. A lock left by a
 * process that is gone is taken over. Returns a release function.
 */
export function acquireLock(dataDir: string, owner: LockOwner): () => void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockPath(dataDir);
  const info: LockInfo = { pid: process.pid, owner, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: "wx", mode: 0o600 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const current = readLock(dataDir);
        if (current?.pid === process.pid) fs.rmSync(file, { force: true });
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readLock(dataDir);
      if (holder && holder.pid !== process.pid) throw new LockHeldError(holder, dataDir);
      // Stale (or our own from an earlier open in this process): remove and retry.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the database lock ${file}`);
}
