import "server-only";
import { openSecret, sealSecret, wrappingKeyId } from "@/lib/crypto/envelope";
import { findKek, keyringFor, reloadKeyring, type Kek } from "@/lib/crypto/keyring";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// TOTP secrets are secrets at rest: sealed by the same key-encryption key that wraps the
// originals' data keys (ADR 0016), bound to their user, re-sealed by `keys rotate`.

function purposeOf(userId: string): string {
  return `totp:${userId}`;
}

export function sealTotpSecret(userId: string, secret: Uint8Array, kek: Kek = keyringFor(env().dataDir).current) {
  return sealSecret(kek, purposeOf(userId), secret);
}

export function openTotpSecret(
  userId: string,
  sealed: string,
  { dataDir, keyFile }: { dataDir: string; keyFile: string | undefined } = {
    dataDir: env().dataDir,
    keyFile: env().ENCRYPTION_KEY_FILE,
  },
): Buffer {
  const id = wrappingKeyId(sealed);
  // Another process may have rotated the key since this one read it.
  const kek = findKek(keyringFor(dataDir, keyFile), id) ?? findKek(reloadKeyring(dataDir, keyFile), id);
  if (!kek) {
    throw new AppError(
      "unavailable",
      `The second factor of this account cannot be checked: its secret is sealed by key ${id}, which this server does not have. An administrator can check \`npm run cli -- keys status\`.`,
      { expose: true },
    );
  }
  return openSecret(kek, purposeOf(userId), sealed);
}
