import "server-only";
import type { Executor } from "@/db/client";
import { clearLoginThrottle, getLoginThrottle, recordLoginFailure } from "@/db/queries/login-throttle";
import { getUserCredentialsByEmail, normalizeEmail, recordLogin } from "@/db/queries/users";
import { dummyPasswordHash, verifyPassword } from "./password";

export type CredentialCheck =
  | { ok: true; userId: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "disabled" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number };

export interface ThrottlePolicy {
  maxFailures: number;
  lockoutMinutes: number;
}

/**
 * Checks an email and password. Unknown email and wrong password take the same path, the same
 * time (a password hash is always verified) and give the same answer. Failures are counted per
 * email whether or not the account exists, so lockout reveals nothing either.
 */
export async function checkCredentials(
  db: Executor,
  input: { email: string; password: string },
  policy: ThrottlePolicy,
  now: Date = new Date(),
): Promise<CredentialCheck> {
  const key = normalizeEmail(input.email);
  const throttle = await getLoginThrottle(db, { key });
  if (throttle?.lockedUntil && throttle.lockedUntil > now) {
    // Still verify a hash so a locked probe costs the same as any other.
    await verifyPassword(await dummyPasswordHash(), input.password);
    return { ok: false, reason: "locked", retryAfterSeconds: Math.ceil((throttle.lockedUntil.getTime() - now.getTime()) / 1000) };
  }

  const user = await getUserCredentialsByEmail(db, { email: key });
  const hashToCheck = user?.passwordHash ?? (await dummyPasswordHash());
  const matches = await verifyPassword(hashToCheck, input.password);

  if (!user || !user.passwordHash || !matches) {
    const lockMs = policy.lockoutMinutes * 60_000;
    const result = await recordLoginFailure(db, { key, now, windowMs: lockMs, maxFailures: policy.maxFailures, lockMs });
    if (result.lockedUntil && result.lockedUntil > now) {
      return { ok: false, reason: "locked", retryAfterSeconds: Math.ceil((result.lockedUntil.getTime() - now.getTime()) / 1000) };
    }
    return { ok: false, reason: "invalid" };
  }
  // Only someone who knows the password learns that the account is disabled.
  if (user.disabled) return { ok: false, reason: "disabled" };

  await clearLoginThrottle(db, { key });
  await recordLogin(db, { userId: user.id });
  return { ok: true, userId: user.id };
}

export function credentialFailureMessage(check: Exclude<CredentialCheck, { ok: true }>): string {
  switch (check.reason) {
    case "invalid":
      return "Invalid email or password.";
    case "disabled":
      return "This account is disabled. Ask an administrator to enable it.";
    case "locked": {
      const minutes = Math.max(1, Math.ceil(check.retryAfterSeconds / 60));
      return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
    }
  }
}
