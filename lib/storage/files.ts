import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";

// Original uploads, kept so citations can open the source. Files are named by version id
// (never by the uploaded name, which is untrusted) under DATA_DIR/files.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function originalsDir(dataDir: string): string {
  return path.join(dataDir, "files");
}

/** The path, relative to DATA_DIR/files, where a version's original is kept. */
export function originalRelativePath(versionId: string): string {
  if (!UUID.test(versionId)) throw new Error(`not a version id: ${versionId}`);
  return path.join(versionId.slice(0, 2), versionId);
}

function resolveInside(dataDir: string, relative: string): string {
  const base = originalsDir(dataDir);
  const full = path.resolve(base, relative);
  if (!full.startsWith(base + path.sep)) throw new Error(`storage path escapes the files folder: ${relative}`);
  return full;
}

/** Writes atomically: a reader never sees half a file, and a crash leaves no partial original. */
export async function saveOriginal(dataDir: string, versionId: string, bytes: Uint8Array): Promise<string> {
  const relative = originalRelativePath(versionId);
  const full = resolveInside(dataDir, relative);
  await fs.mkdir(path.dirname(full), { recursive: true, mode: 0o700 });
  const tmp = `${full}.${randomBytes(4).toString("hex")}.tmp`;
  await fs.writeFile(tmp, bytes, { mode: 0o600 });
  await fs.rename(tmp, full);
  return relative;
}

export async function readOriginal(dataDir: string, relative: string): Promise<Buffer> {
  return fs.readFile(resolveInside(dataDir, relative));
}

/** Removes an original; a file already gone is not an error (purges may be retried). */
export async function deleteOriginal(dataDir: string, relative: string): Promise<void> {
  await fs.rm(resolveInside(dataDir, relative), { force: true });
}
