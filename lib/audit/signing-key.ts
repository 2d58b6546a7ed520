import "server-only";
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Env } from "@/lib/env";
import { readOrCreateSecretFile } from "@/lib/secrets";
import { keyFingerprint, publicKeyBase64, publicKeyPem, type TrustedKey } from "./keys";

// The key that signs exports: AUDIT_SIGNING_KEY (PEM or base64 PKCS#8 DER) when set, otherwise
// generated once into DATA_DIR/secrets/audit-signing-key.pem. Servers sharing one deployment
// must set AUDIT_SIGNING_KEY so that all of them sign with the same key.

export const SIGNING_KEY_FILE = "audit-signing-key.pem";

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  publicKeyBase64: string;
  fingerprint: string;
  source: "AUDIT_SIGNING_KEY" | "generated";
}

function parsePrivateKey(text: string, where: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith("-----BEGIN")
      ? createPrivateKey(trimmed)
      : createPrivateKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "pkcs8" });
  } catch (err) {
    throw new Error(`${where} is not a PEM private key or base64 PKCS#8 DER.`, { cause: err });
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new Error(`${where} is a ${key.asymmetricKeyType} key; exports are signed with Ed25519.`);
  return key;
}

const cache = new Map<string, SigningKey>();

export function loadSigningKey(e: Pick<Env, "AUDIT_SIGNING_KEY" | "dataDir">): SigningKey {
  const cacheKey = e.AUDIT_SIGNING_KEY ? `env:${e.AUDIT_SIGNING_KEY}` : `dir:${e.dataDir}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const privateKey = e.AUDIT_SIGNING_KEY
    ? parsePrivateKey(e.AUDIT_SIGNING_KEY, "AUDIT_SIGNING_KEY")
    : parsePrivateKey(
        readOrCreateSecretFile(e.dataDir, SIGNING_KEY_FILE, () =>
          generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        ),
        `${e.dataDir}/secrets/${SIGNING_KEY_FILE}`,
      );
  const publicKey = createPublicKey(privateKey);
  const key: SigningKey = {
    privateKey,
    publicKey,
    publicKeyPem: publicKeyPem(publicKey),
    publicKeyBase64: publicKeyBase64(publicKey),
    fingerprint: keyFingerprint(publicKey),
    source: e.AUDIT_SIGNING_KEY ? "AUDIT_SIGNING_KEY" : "generated",
  };
  cache.set(cacheKey, key);
  return key;
}

/**
 * The public key this installation signs with, for checking an export on a machine that holds
 * the installation's data: from AUDIT_SIGNING_KEY, else the generated key file. Never creates
 * a key (a fresh key would trust nothing); null when this machine has neither.
 */
export function installationTrustedKey(e: Pick<Env, "AUDIT_SIGNING_KEY" | "dataDir">): TrustedKey | null {
  if (e.AUDIT_SIGNING_KEY) {
    return {
      key: createPublicKey(parsePrivateKey(e.AUDIT_SIGNING_KEY, "AUDIT_SIGNING_KEY")),
      reason: "this installation's signing key (AUDIT_SIGNING_KEY), as no --public-key was given",
    };
  }
  const file = path.join(e.dataDir, "secrets", SIGNING_KEY_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`The installation's signing key ${file} cannot be read.`, { cause: err });
  }
  return {
    key: createPublicKey(parsePrivateKey(text, file)),
    reason: `this installation's signing key (${file}), as no --public-key was given`,
  };
}
