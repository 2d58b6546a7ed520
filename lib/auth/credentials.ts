import "server-only";
import type { Executor } from "@/db/client";
import { appendAudit } from "@/lib/audit/log";
import { getUserCredentialsByEmail, normalizeEmail, recordLogin } from "@/db/queries/users";
import { loginEmailSchema } from "@/lib/users/schemas";
import { deviceIdFromCookie, issueDeviceCookie } from "./device-cookie";
import { dummyPasswordHash, verifyPassword } from "./password";
import { closeSignInFailuresOf, recordSignInFailure, type FailureReason } from "./sign-in-failures";
import { createSignInThrottle, type ThrottlePolicy } from "./throttle";

export type CredentialCheck =
  | { ok: true; userId: string; deviceCookie: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "disabled" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export interface SignInPolicy extends ThrottlePolicy {
  /** Failed sign-ins are audited as one event per account and window of this length. */
  auditWindowMinutes: number;
  /** Signs device cookies. */
  deviceSecret: string;
}

export interface CredentialInput {
  email: string;
  password: string;
  /** The client's address (see lib/server/client-address.ts); null when unknown. */
  address?: string | null;
  /** The device cookie the browser sent, if any. */
  deviceCookie?: string | null;
}

/**
 * Checks an email and password. Unknown email and wrong password take the same path, the same
 * time (a password hash is always verified) and give the same answer; delays are counted per
 * email whether or not the account exists, so they reveal nothing either.
 */
export async function checkCredentials(
  db: Executor,
  input: CredentialInput,
  policy: SignInPolicy,
  now: Date = new Date(),
): Promise<CredentialCheck> {
  // No account has a malformed email; refuse one before it is looked up, throttled or audited.
  if (!loginEmailSchema.safeParse(input.email).success) return { ok: false, reason: "invalid" };
  const email = normalizeEmail(input.email);
  const attempt = {
    email,
    address: input.address ?? null,
    deviceId: deviceIdFromCookie(policy.deviceSecret, input.deviceCookie, email, now),
  };
  const throttle = createSignInThrottle(db, policy);
  const fail = async (userId: string | null, reason: FailureReason) =>
    recordSignInFailure(db, { userId, email, reason, address: input.address ?? null, now }, policy.auditWindowMinutes);

  const decision = await throttle.check(attempt);
  if (!decision.ok) {
    // Still verify a hash so a delayed probe costs the same as any other.
    await verifyPassword(await dummyPasswordHash(), input.password);
    const known = await getUserCredentialsByEmail(db, { email });
    await fail(known?.id ?? null, "throttled");
    return { ok: false, reason: "throttled", retryAfterSeconds: decision.retryAfterSeconds };
  }

  const user = await getUserCredentialsByEmail(db, { email });
  const hashToCheck = user?.passwordHash ?? (await dummyPasswordHash());
  const matches = await verifyPassword(hashToCheck, input.password);

  if (!user || !user.passwordHash || !matches) {
    await throttle.fail(attempt);
    // Compliance sees whether the account exists; the person signing in never does.
    await fail(user?.id ?? null, !user ? "unknown_email" : !user.passwordHash ? "no_password" : "wrong_password");
    return { ok: false, reason: "invalid" };
  }
  // Only someone who knows the password learns that the account is disabled.
  if (user.disabled) {
    await fail(user.id, "disabled");
    return { ok: false, reason: "disabled" };
  }

  await throttle.succeed(attempt);
  await db.transaction(async (tx) => {
    await closeSignInFailuresOf(tx, user.id);
    await recordLogin(tx, { userId: user.id });
    await appendAudit(tx, {
      type: "auth.sign_in",
      actorId: user.id,
      actorEmail: email,
      payload: { method: "credentials" },
    });
  });
  return { ok: true, userId: user.id, deviceCookie: issueDeviceCookie(policy.deviceSecret, email, now) };
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export function credentialFailureMessage(check: Exclude<CredentialCheck, { ok: true }>): string {
  switch (check.reason) {
    case "invalid":
      return "Invalid email or password.";
    case "disabled":
      return "This account is disabled. Ask an administrator to enable it.";
    case "throttled":
      return `Too many failed sign-in attempts. Try again in ${waitText(Math.max(1, check.retryAfterSeconds))}.`;
  }
}
