import "server-only";
import fs from "node:fs";
import { isMainThread } from "node:worker_threads";
import { makeOwnerOnly } from "@/db/owner-only";

// Everything under DATA_DIR is owner-only: directories 0700, files 0600, whatever umask the
// service manager or shell started us with. Explicit modes are not enough, since LanceDB and the
// parser create files with the default mode: the process umask is set to 077 before any of them
// runs (child processes inherit it), and at start-up a walk tightens what an older release, a
// looser umask or PGlite (which sets 0666 itself) left behind.

/** Makes every file this process (and its children) creates owner-only. */
export function restrictFileCreation(): void {
  // Worker threads share the process's umask and may not set it.
  if (isMainThread) process.umask(0o077);
}

/**
 * Creates DATA_DIR owner-only if missing and tightens every directory and file below it. Symbolic
 * links are not followed (a link out of DATA_DIR is the operator's choice, e.g. a mounted volume,
 * and its target keeps its own modes). Returns how many entries had to be changed.
 */
export function secureDataDir(dataDir: string): number {
  restrictFileCreation();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return makeOwnerOnly(dataDir);
}
