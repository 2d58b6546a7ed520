import "server-only";
import path from "node:path";
import { env, type Env } from "@/lib/env";
import { DiskFileStore } from "./disk-file-store";
import { S3FileStore, parseS3Uri } from "./s3-file-store";

// Where encrypted originals live: DATA_DIR/files on this machine's disk, or an S3-compatible
// bucket (FILES_URI=s3://bucket/prefix) that every app and worker node reads. The store only moves
// opaque bytes; encryption happens above it (lib/storage/files.ts), so both hold the same envelope.

export interface FileStoreUsage {
  files: number;
  bytes: number;
}

export interface FileStore {
  readonly kind: "disk" | "s3";
  /** The folder or s3:// URI, for the admin overview and error messages. */
  readonly location: string;
  /** Stores the bytes under `key` whole: a reader never sees half an object. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The stored bytes, or null when nothing is stored under `key`. */
  get(key: string): Promise<Buffer | null>;
  /** Removes the object; one already gone is not an error (purges may be retried). */
  delete(key: string): Promise<void>;
  usage(): Promise<FileStoreUsage>;
}

/** Keys are relative paths made by files.ts ("ab/<uuid>.enc"); anything that could climb out is refused. */
export function checkKey(key: string): string {
  const normal = path.posix.normalize(key);
  if (!key || path.posix.isAbsolute(key) || normal !== key || normal.split("/").includes(".."))
    throw new Error(`storage path escapes the files store: ${key}`);
  return key;
}

export type FileStoreSettings = Pick<
  Env,
  "FILES_URI" | "S3_ENDPOINT" | "AWS_REGION" | "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "S3_FORCE_PATH_STYLE"
>;

const stores = new Map<string, FileStore>();

/** The originals store this configuration names; one per location per process (the S3 client pools sockets). */
export function fileStoreFor(dataDir: string, settings: FileStoreSettings = env()): FileStore {
  const cacheKey = settings.FILES_URI
    ? JSON.stringify([settings.FILES_URI, settings.S3_ENDPOINT, settings.AWS_REGION, settings.AWS_ACCESS_KEY_ID])
    : `disk:${dataDir}`;
  let store = stores.get(cacheKey);
  if (!store) {
    store = settings.FILES_URI
      ? new S3FileStore(parseS3Uri(settings.FILES_URI), settings)
      : new DiskFileStore(path.join(dataDir, "files"));
    stores.set(cacheKey, store);
  }
  return store;
}
