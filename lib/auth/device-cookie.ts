import "server-only";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// A device cookie (OWASP, "Slow down online guessing attacks with device cookies") says "this
// browser has signed in to this account before". It is set at a successful sign-in and lets its
// holder skip the account-wide and address-wide sign-in delays, which is what keeps an attacker
// who knows an email from holding those delays against the account's owner. It proves nothing
// else: it is not a session and opens nothing by itself.

export const DEVICE_COOKIE = "kq_device";
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;

function mac(secret: string, email: string, nonce: string, issued: string): string {
  return createHmac("sha256", secret).update(`device\u0000${email}\u0000${nonce}\u0000${issued}`).digest("base64url");
}

/** A new cookie value for `email` (normalised). */
export function issueDeviceCookie(secret: string, email: string, now: Date = new Date()): string {
  const nonce = randomBytes(16).toString("base64url");
  const issued = String(Math.floor(now.getTime() / 1000));
  return `${nonce}.${issued}.${mac(secret, email, nonce, issued)}`;
}

/** The cookie's id when it was issued for `email` by this server and has not expired; otherwise null. */
export function deviceIdFromCookie(
  secret: string,
  value: string | null | undefined,
  email: string,
  now: Date = new Date(),
): string | null {
  const match = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? "");
  if (!match) return null;
  const [, nonce, issued, given] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(mac(secret, email, nonce, issued));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  const age = now.getTime() / 1000 - Number(issued);
  if (age < 0 || age > DEVICE_COOKIE_MAX_AGE_SECONDS) return null;
  return nonce;
}
