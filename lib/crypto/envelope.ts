import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Envelope encryption for stored originals: each file has its own 256-bit data key; the data key
// is kept only wrapped (encrypted) by the key-encryption key, so rotating that key rewrites a few
// bytes per file in the database and never the content. Both layers are AES-256-GCM, and each
// binds the version id as associated data, so a file or a wrapped key moved onto another version
// fails its integrity check instead of decrypting.

const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Starts every encrypted original; a plain file from an older install never does. */
export const FILE_MAGIC = Buffer.from("KQAENC01", "ascii");
/** What encryption adds to each stored original: the marker, the IV and the tag. */
export const FILE_OVERHEAD_BYTES = FILE_MAGIC.length + IV_BYTES + TAG_BYTES;

export class DecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DecryptionError";
  }
}

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function seal(key: Buffer, plain: Uint8Array, aad: Buffer): { iv: Buffer; body: Buffer; tag: Buffer } {
  if (key.length !== KEY_BYTES) throw new Error(`AES-256 needs a ${KEY_BYTES}-byte key, got ${key.length}.`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, body, tag: cipher.getAuthTag() };
}

function open(key: Buffer, iv: Buffer, body: Buffer, tag: Buffer, aad: Buffer, what: string): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (err) {
    throw new DecryptionError(`${what} failed its integrity check: it was altered, or belongs to another key.`, {
      cause: err,
    });
  }
}

function contentAad(versionId: string): Buffer {
  return Buffer.concat([FILE_MAGIC, Buffer.from(versionId, "utf8")]);
}

/** `FILE_MAGIC ‖ iv ‖ ciphertext ‖ tag`. */
export function encryptContent(dataKey: Buffer, versionId: string, plain: Uint8Array): Buffer {
  const { iv, body, tag } = seal(dataKey, plain, contentAad(versionId));
  return Buffer.concat([FILE_MAGIC, iv, body, tag]);
}

export function isEncryptedContent(bytes: Uint8Array): boolean {
  return bytes.length >= FILE_MAGIC.length && Buffer.from(bytes.subarray(0, FILE_MAGIC.length)).equals(FILE_MAGIC);
}

export function decryptContent(dataKey: Buffer, versionId: string, stored: Buffer): Buffer {
  if (!isEncryptedContent(stored) || stored.length < FILE_OVERHEAD_BYTES)
    throw new DecryptionError("The stored original is not an encrypted file of this product.");
  const iv = stored.subarray(FILE_MAGIC.length, FILE_MAGIC.length + IV_BYTES);
  const body = stored.subarray(FILE_MAGIC.length + IV_BYTES, stored.length - TAG_BYTES);
  const tag = stored.subarray(stored.length - TAG_BYTES);
  return open(dataKey, iv, body, tag, contentAad(versionId), "The stored original");
}

function wrapAad(versionId: string, kekId: string): Buffer {
  return Buffer.from(`data-key:${kekId}:${versionId}`, "utf8");
}

/** A data key wrapped by a key-encryption key, as stored: `<kekId>:<base64 of iv ‖ wrapped key ‖ tag>`. */
export function wrapDataKey(kek: { id: string; key: Buffer }, versionId: string, dataKey: Buffer): string {
  const { iv, body, tag } = seal(kek.key, dataKey, wrapAad(versionId, kek.id));
  return `${kek.id}:${Buffer.concat([iv, body, tag]).toString("base64")}`;
}

/** The id of the key-encryption key that wrapped a stored data key. */
export function wrappingKeyId(wrapped: string): string {
  const colon = wrapped.indexOf(":");
  if (colon <= 0) throw new DecryptionError("The stored data key is malformed.");
  return wrapped.slice(0, colon);
}

export function unwrapDataKey(kek: { id: string; key: Buffer }, versionId: string, wrapped: string): Buffer {
  const id = wrappingKeyId(wrapped);
  if (id !== kek.id) throw new DecryptionError(`The data key was wrapped by key ${id}, not by key ${kek.id}.`);
  const raw = Buffer.from(wrapped.slice(id.length + 1), "base64");
  if (raw.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw new DecryptionError("The stored data key is malformed.");
  return open(
    kek.key,
    raw.subarray(0, IV_BYTES),
    raw.subarray(IV_BYTES, IV_BYTES + KEY_BYTES),
    raw.subarray(IV_BYTES + KEY_BYTES),
    wrapAad(versionId, id),
    "The stored data key",
  );
}

function secretAad(purpose: string, kekId: string): Buffer {
  return Buffer.from(`secret:${kekId}:${purpose}`, "utf8");
}

/**
 * A small secret kept in the database (a TOTP seed), sealed directly by the key-encryption key:
 * `<kekId>:<base64 of iv ‖ ciphertext ‖ tag>`. `purpose` names what it belongs to ("totp:<user id>")
 * and is bound as associated data, so a sealed value copied onto another row fails to open.
 */
export function sealSecret(kek: { id: string; key: Buffer }, purpose: string, plain: Uint8Array): string {
  const { iv, body, tag } = seal(kek.key, plain, secretAad(purpose, kek.id));
  return `${kek.id}:${Buffer.concat([iv, body, tag]).toString("base64")}`;
}

export function openSecret(kek: { id: string; key: Buffer }, purpose: string, sealed: string): Buffer {
  const id = wrappingKeyId(sealed);
  if (id !== kek.id) throw new DecryptionError(`The secret was sealed by key ${id}, not by key ${kek.id}.`);
  const raw = Buffer.from(sealed.slice(id.length + 1), "base64");
  if (raw.length <= IV_BYTES + TAG_BYTES) throw new DecryptionError("The stored secret is malformed.");
  return open(
    kek.key,
    raw.subarray(0, IV_BYTES),
    raw.subarray(IV_BYTES, raw.length - TAG_BYTES),
    raw.subarray(raw.length - TAG_BYTES),
    secretAad(purpose, id),
    "The stored secret",
  );
}
