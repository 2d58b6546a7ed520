import "server-only";
import { readFile } from "node:fs/promises";

// The resident memory of another process, from Linux's /proc: everything it holds in RAM, the
// JavaScript heap, array buffers, WebAssembly memory and native allocations alike.

/** Bytes resident, or null where /proc is not available (not Linux) or the process is gone. */
export async function residentBytes(pid: number): Promise<number | null> {
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb === undefined ? null : Number(kb) * 1024;
}
