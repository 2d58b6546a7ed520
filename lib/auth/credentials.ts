import "server-only";
import type { Executor } from "@/db/client";
import { appendAudit } from "@/lib/audit/log";
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
    const known = await getUserCredentialsByEmail(db, { email: key });
    await appendAudit(db, {
      type: "auth.sign_in_failed",
      actorId: known?.id ?? null,
      actorEmail: key,
      payload: { method: "credentials", email: key, reason: "locked" },
    });
    return {
      ok: false,
      reason: "locked",
      retryAfterSeconds: Math.ceil((throttle.lockedUntil.getTime() - now.getTime()) / 1000),
    };
  }

  const user = await getUserCredentialsByEmail(db, { email: key });
  const hashToCheck = user?.passwordHash ?? (await dummyPasswordHash());
  const matches = await verifyPassword(hashToCheck, input.password);

  if (!user || !user.passwordHash || !matches) {
    const lockMs = policy.lockoutMinutes * 60_000;
    // Compliance sees whether the account exists; the person signing in never does.
    const reason = !user ? "unknown_email" : !user.passwordHash ? "no_password" : "wrong_password";
    const result = await db.transaction(async (tx) => {
      const r = await recordLoginFailure(tx, { key, now, windowMs: lockMs, maxFailures: policy.maxFailures, lockMs });
      const lockedNow = r.lockedUntil !== null && r.lockedUntil !== undefined && r.lockedUntil > now;
      await appendAudit(tx, {
        type: "auth.sign_in_failed",
        actorId: user?.id ?? null,
        actorEmail: key,
        payload: {
          method: "credentials",
          email: key,
          reason,
          ...(lockedNow ? { lockedUntil: r.lockedUntil!.toISOString() } : {}),
        },
      });
      return r;
    });
    if (result.lockedUntil && result.lockedUntil > now) {
      return {
        ok: false,
        reason: "locked",
        retryAfterSeconds: Math.ceil((result.lockedUntil.getTime() - now.getTime()) / 1000),
      };
    }
    return { ok: false, reason: "invalid" };
  }
  // Only someone who knows the password learns that the account is disabled.
  if (user.disabled) {
    await appendAudit(db, {
      type: "auth.sign_in_failed",
      actorId: user.id,
      actorEmail: key,
      payload: { method: "credentials", email: key, reason: "disabled" },
    });
    return { ok: false, reason: "disabled" };
  }

  await db.transaction(async (tx) => {
    await clearLoginThrottle(tx, { key });
    await recordLogin(tx, { userId: user.id });
    await appendAudit(tx, {
      type: "auth.sign_in",
      actorId: user.id,
      actorEmail: key,
      payload: { method: "credentials" },
    });
  });
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
