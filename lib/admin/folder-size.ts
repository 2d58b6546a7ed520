import "server-only";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

// Bytes and files under a folder, without following links. A folder that does not exist yet
// (nothing uploaded so far) is empty, not an error.

export interface FolderSize {
  bytes: number;
  files: number;
}

export async function folderSize(dir: string): Promise<FolderSize> {
  const total: FolderSize = { bytes: 0, files: 0 };
  async function walk(current: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        total.bytes += (await lstat(full)).size;
        total.files += 1;
      }
    }
  }
  await walk(dir);
  return total;
}
