import "server-only";
import path from "node:path";
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
import { fileStoreFor } from "./file-store";

// Original uploads, kept so citations can open the source. Files are named by version id
// (never by the uploaded name, which is untrusted) in the files store (DATA_DIR/files or the
// FILES_URI bucket, lib/storage/file-store.ts), and encrypted with a
// data key of their own (lib/crypto) whose wrapped form is stored on the version's row. Files
// written by older releases (no ".enc", no data key) are still read as they are; `keys rotate`
// encrypts them.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ENCRYPTED_SUFFIX = ".enc";

/** The disk files store's folder (FILES_URI unset). */
export function originalsDir(dataDir: string): string {
  return path.join(dataDir, "files");
}

/** The path, relative to the files store, where a version's encrypted original is kept. */
export function originalRelativePath(versionId: string): string {
  if (!UUID.test(versionId)) throw new Error(`not a version id: ${versionId}`);
  return path.posix.join(versionId.slice(0, 2), versionId + ENCRYPTED_SUFFIX);
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

/** Encrypts and stores a version's original under a new data key, wrapped by the current key-encryption key. */
export async function saveOriginal(
  dataDir: string,
  versionId: string,
  bytes: Uint8Array,
  kek: Kek = keyringFor(dataDir).current,
): Promise<SavedOriginal> {
  const relative = originalRelativePath(versionId);
  const dataKey = newDataKey();
  await fileStoreFor(dataDir).put(relative, encryptContent(dataKey, versionId, bytes));
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
  const store = fileStoreFor(dataDir);
  const stored = await store.get(ref.storagePath);
  if (!stored) throw unreadable(ref, `its file is missing from the files store (${store.location}).`);
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
  await fileStoreFor(dataDir).delete(relative);
}

/** Replaces a plain original from an older release by its encrypted form at the new path. */
export async function encryptLegacyOriginal(dataDir: string, ref: StoredOriginalRef, kek: Kek): Promise<SavedOriginal> {
  const plain = await readOriginal(dataDir, { ...ref, dataKey: null });
  return saveOriginal(dataDir, ref.id, plain, kek);
}
