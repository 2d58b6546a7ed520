import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import {
  DecryptionError,
  decryptContent,
  encryptContent,
  isEncryptedContent,
  newDataKey,
  unwrapDataKey,
  wrapDataKey,
  wrappingKeyId,
} from "@/lib/crypto/envelope";
import { findKek, keyringFor, reloadKeyring, type Kek } from "@/lib/crypto/keyring";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";

// Original uploads, kept so citations can open the source. Files are named by version id
// (never by the uploaded name, which is untrusted) under DATA_DIR/files, and encrypted with a
// data key of their own (lib/crypto) whose wrapped form is stored on the version's row. Files
// written by older releases (no ".enc", no data key) are still read as they are; `keys rotate`
// encrypts them.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ENCRYPTED_SUFFIX = ".enc";

export function originalsDir(dataDir: string): string {
  return path.join(dataDir, "files");
}

/** The path, relative to DATA_DIR/files, where a version's encrypted original is kept. */
export function originalRelativePath(versionId: string): string {
  if (!UUID.test(versionId)) throw new Error(`not a version id: ${versionId}`);
  return path.join(versionId.slice(0, 2), versionId + ENCRYPTED_SUFFIX);
}

function resolveInside(dataDir: string, relative: string): string {
  const base = originalsDir(dataDir);
  const full = path.resolve(base, relative);
  if (!full.startsWith(base + path.sep)) throw new Error(`storage path escapes the files folder: ${relative}`);
  return full;
}

/** What a version row holds about its stored original. */
export interface StoredOriginalRef {
  id: string;
  storagePath: string;
  /** The wrapped data key (lib/crypto/envelope); null for a plain file from an older release. */
  dataKey: string | null;
}

export interface SavedOriginal {
  storagePath: string;
  dataKey: string;
  keyId: string;
}

/** Writes atomically: a reader never sees half a file, and a crash leaves no partial original. */
async function writeAtomically(full: string, bytes: Uint8Array): Promise<void> {
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

/** Encrypts and stores a version's original under a new data key, wrapped by the current key-encryption key. */
export async function saveOriginal(
  dataDir: string,
  versionId: string,
  bytes: Uint8Array,
  kek: Kek = keyringFor(dataDir).current,
): Promise<SavedOriginal> {
  const relative = originalRelativePath(versionId);
  const dataKey = newDataKey();
  await writeAtomically(resolveInside(dataDir, relative), encryptContent(dataKey, versionId, bytes));
  return { storagePath: relative, dataKey: wrapDataKey(kek, versionId, dataKey), keyId: kek.id };
}

function unreadable(ref: StoredOriginalRef, detail: string, cause?: unknown): AppError {
  log.error("a stored original cannot be read", { versionId: ref.id, storagePath: ref.storagePath, detail });
  return new AppError(
    "unavailable",
    `The original of this version cannot be opened: ${detail} An administrator can check \`npm run cli -- keys status\`.`,
    { cause, expose: true },
  );
}

/** The data key of a stored original, unwrapped with whichever known key wrapped it. */
export function unwrapStoredKey(
  dataDir: string,
  ref: StoredOriginalRef & { dataKey: string },
  keys: { keyFile: string | undefined } = { keyFile: env().ENCRYPTION_KEY_FILE },
): Buffer {
  const id = wrappingKeyId(ref.dataKey);
  let ring = keyringFor(dataDir, keys.keyFile);
  let kek = findKek(ring, id);
  // Another process may have rotated the key since this one read it.
  if (!kek) {
    ring = reloadKeyring(dataDir, keys.keyFile);
    kek = findKek(ring, id);
  }
  if (!kek)
    throw unreadable(
      ref,
      `it is encrypted under key ${id}, and the configured key-encryption key is ${ring.current.id}.`,
    );
  return unwrapDataKey(kek, ref.id, ref.dataKey);
}

/**
 * The original's content, decrypted. Never returns stored bytes it could not decrypt: a missing or
 * wrong key, a tampered file or a row and file that disagree all fail with a message saying which.
 */
export async function readOriginal(dataDir: string, ref: StoredOriginalRef): Promise<Buffer> {
  let stored: Buffer;
  try {
    stored = await fs.readFile(resolveInside(dataDir, ref.storagePath));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw unreadable(ref, "its file is missing from the files folder.", err);
    throw err;
  }
  if (ref.dataKey === null) {
    // A plain file from an older release. An encrypted file without its key is never passed on.
    if (isEncryptedContent(stored)) throw unreadable(ref, "the file is encrypted but its data key is not recorded.");
    return stored;
  }
  try {
    return decryptContent(unwrapStoredKey(dataDir, { ...ref, dataKey: ref.dataKey }), ref.id, stored);
  } catch (err) {
    if (err instanceof DecryptionError) throw unreadable(ref, err.message, err);
    throw err;
  }
}

/** Removes an original; a file already gone is not an error (purges may be retried). */
export async function deleteOriginal(dataDir: string, relative: string): Promise<void> {
  await fs.rm(resolveInside(dataDir, relative), { force: true });
}

/** Replaces a plain original from an older release by its encrypted form at the new path. */
export async function encryptLegacyOriginal(dataDir: string, ref: StoredOriginalRef, kek: Kek): Promise<SavedOriginal> {
  const plain = await readOriginal(dataDir, { ...ref, dataKey: null });
  return saveOriginal(dataDir, ref.id, plain, kek);
}
