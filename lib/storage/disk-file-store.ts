import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { folderSize } from "@/lib/admin/folder-size";
import { checkKey, type FileStore, type FileStoreUsage } from "./file-store";

/** Originals in a folder on this machine (DATA_DIR/files), owner-only. */
export class DiskFileStore implements FileStore {
  readonly kind = "disk" as const;
  constructor(readonly location: string) {}

  private resolve(key: string): string {
    const full = path.resolve(this.location, checkKey(key));
    if (!full.startsWith(this.location + path.sep)) throw new Error(`storage path escapes the files folder: ${key}`);
    return full;
  }

  /** Writes atomically: a crash leaves no partial original. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const full = this.resolve(key);
    await fs.mkdir(path.dirname(full), { recursive: true, mode: 0o700 });
    const tmp = `${full}.${randomBytes(4).toString("hex")}.tmp`;
    const handle = await fs.open(tmp, "wx", 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, full);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.resolve(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }

  usage(): Promise<FileStoreUsage> {
    return folderSize(this.location);
  }
}
