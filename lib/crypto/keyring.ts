import "server-only";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { readOrCreateSecretFile } from "@/lib/secrets";

// The key-encryption key (KEK) that wraps every original's data key. It comes from
// ENCRYPTION_KEY_FILE (mounted by the operator from a KMS, an HSM agent or Vault, shared by all app
// nodes) or, by default, from DATA_DIR/secrets/encryption-key, created 0600 at first start. Keys are
// named by a fingerprint, never by their bytes, so a stored data key says which KEK it needs and a
// wrong key is reported as such rather than as corrupt data.

export const DEFAULT_KEY_FILE = "encryption-key";
/** A rotation's new key, written before any data key is re-wrapped and renamed over the old one after. */
export const PENDING_KEY_FILE = "encryption-key.next";

export interface Kek {
  id: string;
  key: Buffer;
  /** Where the key came from, for status output and error messages (never the key itself). */
  source: string;
}

export interface Keyring {
  /** New data keys are wrapped by this one. */
  current: Kek;
  /** Keys that may still wrap some data keys: a rotation in progress, or one this process just finished. */
  others: Kek[];
  /** How the current key is managed. */
  managed: "file" | "generated";
}

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

export function kekId(key: Buffer): string {
  return createHash("sha256").update("knowledge-qa key-encryption key\n").update(key).digest("hex").slice(0, 16);
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

export function parseHexKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (!HEX_KEY.test(trimmed))
    throw new KeyError(
      `${source} must hold 32 random bytes as 64 hexadecimal characters (as \`openssl rand -hex 32\` prints); it holds ${trimmed.length} characters${trimmed.length === 64 ? " that are not all hexadecimal" : ""}.`,
    );
  return Buffer.from(trimmed, "hex");
}

export function readKeyFile(file: string, label: string): Kek {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeyError(
      code === "ENOENT"
        ? `${label} points at ${file}, which does not exist. Mount the key file there, or unset it to use a key kept in DATA_DIR/secrets.`
        : `${label} at ${file} cannot be read (${code ?? (err as Error).message}).`,
    );
  }
  const key = parseHexKey(text, `${label} (${file})`);
  return { id: kekId(key), key, source: file };
}

export function newHexKey(): string {
  return randomBytes(32).toString("hex") + "\n";
}

export function secretsDir(dataDir: string): string {
  return path.join(dataDir, "secrets");
}

function load(dataDir: string, keyFile: string | undefined): Keyring {
  const others: Kek[] = [];
  const pending = path.join(secretsDir(dataDir), PENDING_KEY_FILE);
  if (fs.existsSync(pending)) others.push(readKeyFile(pending, "The pending rotation key"));
  if (keyFile) return { current: readKeyFile(path.resolve(keyFile), "ENCRYPTION_KEY_FILE"), others, managed: "file" };
  const source = path.join(secretsDir(dataDir), DEFAULT_KEY_FILE);
  const key = parseHexKey(readOrCreateSecretFile(dataDir, DEFAULT_KEY_FILE, newHexKey), `The key file ${source}`);
  return { current: { id: kekId(key), key, source }, others, managed: "generated" };
}

const cache = new Map<string, Keyring>();
/** Keys this process rotated to while ENCRYPTION_KEY_FILE still names the old one (until restart). */
const adopted = new Map<string, Kek>();

function cacheKey(dataDir: string, keyFile: string | undefined): string {
  return `${path.resolve(dataDir)}\n${keyFile ? path.resolve(keyFile) : ""}`;
}

/** The keyring for a data folder under the configured ENCRYPTION_KEY_FILE; read once per process. */
export function keyringFor(dataDir: string, keyFile: string | undefined = env().ENCRYPTION_KEY_FILE): Keyring {
  const k = cacheKey(dataDir, keyFile);
  let ring = cache.get(k);
  if (!ring) {
    ring = load(dataDir, keyFile);
    cache.set(k, ring);
  }
  const extra = adopted.get(k);
  if (extra && extra.id !== ring.current.id && !ring.others.some((o) => o.id === extra.id))
    return { ...ring, current: extra, others: [ring.current, ...ring.others] };
  return ring;
}

/** Forgets the cached keys, so the next use reads the key files again (after a rotation elsewhere). */
export function reloadKeyring(dataDir: string, keyFile: string | undefined = env().ENCRYPTION_KEY_FILE): Keyring {
  cache.delete(cacheKey(dataDir, keyFile));
  return keyringFor(dataDir, keyFile);
}

/** After rotating to an operator-supplied key file: this process wraps with it until it restarts. */
export function adoptKey(dataDir: string, keyFile: string | undefined, kek: Kek): void {
  adopted.set(cacheKey(dataDir, keyFile), kek);
}

export function findKek(ring: Keyring, id: string): Kek | undefined {
  return ring.current.id === id ? ring.current : ring.others.find((k) => k.id === id);
}
