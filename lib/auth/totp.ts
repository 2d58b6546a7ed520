import { createHash, randomBytes, randomInt } from "node:crypto";
import { Secret, TOTP } from "otpauth";

// RFC 6238 codes (SHA-1, 6 digits, 30-second steps: what every authenticator app reads from a QR
// code) and the recovery codes that stand in for them. Pure functions; storage is lib/auth/mfa.ts.

export const TOTP_ISSUER = "Knowledge Q&A";
const PERIOD = 30;
const DIGITS = 6;
/** One step either side of now: a phone clock half a minute off still works. */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

/** 160 random bits, the length RFC 4226 recommends for HMAC-SHA-1. */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

function totpOf(secret: Uint8Array, label: string): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD,
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
  });
}

/** The secret as people type it into an app: base32, in groups of four. */
export function secretForDisplay(secret: Uint8Array): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The otpauth:// URI the QR code carries. */
export function otpauthUri(secret: Uint8Array, label: string): string {
  return totpOf(secret, label).toString();
}

/** Whether the text looks like an authenticator code at all (six digits, spaces allowed). */
export function looksLikeTotpCode(text: string): boolean {
  return /^\d{6}$/.test(text.replace(/\s+/g, ""));
}

/** The time step a code belongs to within the window around `now`, or null when it matches none. */
export function matchingStep(secret: Uint8Array, code: string, now: Date = new Date()): number | null {
  const token = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const totp = totpOf(secret, "check");
  const delta = totp.validate({ token, timestamp: now.getTime(), window: WINDOW });
  if (delta === null) return null;
  return totp.counter({ timestamp: now.getTime() }) + delta;
}

/** The code an authenticator shows at `at` (tests and the e2e specs compute codes the same way). */
export function totpCodeAt(secret: Uint8Array, at: Date): string {
  return totpOf(secret, "check").generate({ timestamp: at.getTime() });
}

const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** Ten codes of 16 characters from a 31-letter alphabet (79 bits each), shown as four groups of four. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 16 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]!);
    return chars.join("").replace(/(.{4})(?=.)/g, "$1-");
  });
}

/** Codes are compared without case, spaces or dashes, so a code read out or retyped still counts. */
export function normaliseRecoveryCode(text: string): string {
  return text.toLowerCase().replace(/[\s-]+/g, "");
}

/** The stored form: a SHA-256 digest, enough for codes of this entropy (no dictionary to try). */
export function hashRecoveryCode(text: string): string {
  return createHash("sha256")
    .update(`kq-recovery\u0000${normaliseRecoveryCode(text)}`)
    .digest("hex");
}
