import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { canonicalJson } from "./canonical";

// Ed25519 signatures over export manifests. This module holds only what an offline check needs
// (no database, no configuration); loading the server's private key is in signing-key.ts.

export const SIGNATURE_ALGORITHM = "Ed25519";

/** sha256 of the public key's DER (SubjectPublicKeyInfo), as `sha256:<hex>`. */
export function keyFingerprint(publicKey: KeyObject): string {
  return `sha256:${createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")}`;
}

export function publicKeyBase64(publicKey: KeyObject): string {
  return publicKey.export({ type: "spki", format: "der" }).toString("base64");
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: "spki", format: "pem" }).toString();
}

/** A public key given as PEM, or as base64 of its DER (as exports carry it). */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith("-----BEGIN")
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
  } catch (err) {
    throw new Error("The public key is neither a PEM public key nor base64 DER (SubjectPublicKeyInfo).", {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`The public key is ${key.asymmetricKeyType}, not Ed25519.`);
  return key;
}

export function signObject(privateKey: KeyObject, value: unknown): string {
  return sign(null, Buffer.from(canonicalJson(value), "utf8"), privateKey).toString("base64");
}

export function verifyObject(publicKey: KeyObject, value: unknown, signature: string): boolean {
  try {
    return verify(null, Buffer.from(canonicalJson(value), "utf8"), publicKey, Buffer.from(signature, "base64"));
  } catch {
    // A malformed signature is a failed check, reported by the caller as such.
    return false;
  }
}

/**
 * The argument of `--public-key`, read: PEM, base64 DER, or the JSON `GET /api/audit/public-key`
 * and `audit public-key --json` publish (its `publicKeyPem`).
 */
export function parsePublishedPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let published: { publicKeyPem?: unknown };
    try {
      published = JSON.parse(trimmed) as { publicKeyPem?: unknown };
    } catch (err) {
      throw new Error("The public key file looks like JSON but does not parse.", { cause: err });
    }
    if (typeof published.publicKeyPem !== "string")
      throw new Error("The public key JSON has no publicKeyPem (expected what GET /api/audit/public-key returns).");
    return parsePublicKey(published.publicKeyPem);
  }
  // PEM text may be followed by other lines (as `audit public-key` prints a fingerprint after it).
  const pem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(trimmed);
  return parsePublicKey(pem ? pem[0] : trimmed);
}

/** A key the verifier trusts, and why it trusts it (shown to whoever runs the check). */
export interface TrustedKey {
  key: KeyObject;
  /** e.g. "given with --public-key audit.pem" or "this installation's signing key (AUDIT_SIGNING_KEY)". */
  reason: string;
}
