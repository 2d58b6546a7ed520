import "server-only";
import { createHash, randomBytes } from "node:crypto";

// Key format: kq_<prefix>_<secret>. The prefix (8 hex chars) is stored and shown so a key can
// be recognised and revoked; the secret (32 random bytes) is only ever in the caller's hands.
// Keys have 256 bits of entropy, so a fast hash is enough: nothing can be guessed offline.

const KEY_PATTERN = /^kq_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export function generateApiKey(): { key: string; prefix: string; keyHash: string } {
  const prefix = randomBytes(4).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const key = `kq_${prefix}_${secret}`;
  return { key, prefix, keyHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
