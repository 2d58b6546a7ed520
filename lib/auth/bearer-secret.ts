import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";

// Shared-secret bearer tokens for machines (Prometheus). Compared in constant time over fixed-length
// digests, so neither the content nor the length of the secret leaks through response timing.

export type BearerCheck = "ok" | "missing" | "malformed" | "mismatch";

export function checkBearerSecret(authorization: string | null, secret: string): BearerCheck {
  if (!authorization) return "missing";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) return "malformed";
  const given = createHash("sha256").update(match[1]).digest();
  const expected = createHash("sha256").update(secret).digest();
  return timingSafeEqual(given, expected) ? "ok" : "mismatch";
}
