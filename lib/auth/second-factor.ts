import "server-only";
import type { Executor } from "@/db/client";
import { countUnusedRecoveryCodes, getUserMfa, takeMfaStep, spendRecoveryCode } from "@/db/queries/mfa";
import { AppError } from "@/lib/errors";
import type { SignInPolicy } from "./credentials";
import { openTotpSecret } from "./mfa-secret";
import { recordSignInFailure } from "./sign-in-failures";
import { createSignInThrottle } from "./throttle";
import { hashRecoveryCode, looksLikeTotpCode, matchingStep } from "./totp";

// Every code typed anywhere (the sign-in step, setting up, regenerating, switching off) goes
// through here, so each wrong one counts in the sign-in throttle and the aggregated audit of
// failures. Code failures are counted under their own account key ("mfa:<email>"): a correct
// password must not forget them, or each password sign-in would buy a fresh set of guesses.
// No device cookie skips the account tier here: the cookie is issued after the password, so an
// attacker holding the password would hold one too.

export type SecondFactorCheck =
  | { ok: true; method: "totp" }
  | { ok: true; method: "recovery_code"; remaining: number }
  | { ok: false; reason: "invalid" | "reused" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export interface SecondFactorInput {
  userId: string;
  email: string;
  code: string;
  address: string | null;
  /** "enabled" checks the factor in use; "pending" the one being set up. */
  factor: "enabled" | "pending";
  allowRecoveryCode: boolean;
}

export async function checkSecondFactor(
  db: Executor,
  input: SecondFactorInput,
  policy: SignInPolicy,
  now: Date = new Date(),
): Promise<SecondFactorCheck> {
  const attempt = { email: `mfa:${input.email}`, address: input.address, deviceId: null };
  const throttle = createSignInThrottle(db, policy);
  const fail = (reason: "wrong_code" | "reused_code" | "throttled") =>
    recordSignInFailure(
      db,
      { userId: input.userId, email: input.email, reason, address: input.address, now },
      policy.auditWindowMinutes,
    );

  const decision = await throttle.check(attempt);
  if (!decision.ok) {
    await fail("throttled");
    return { ok: false, reason: "throttled", retryAfterSeconds: decision.retryAfterSeconds };
  }
  const mfa = await getUserMfa(db, { userId: input.userId });
  const usable = mfa && (input.factor === "enabled" ? mfa.enabledAt !== null : mfa.enabledAt === null);
  if (!mfa || !usable) throw new AppError("conflict", "There is no second factor to check for this account.");

  let result: SecondFactorCheck = { ok: false, reason: "invalid" };
  if (looksLikeTotpCode(input.code)) {
    const step = matchingStep(openTotpSecret(input.userId, mfa.secret), input.code, now);
    if (step !== null) {
      result = (await takeMfaStep(db, { userId: input.userId, step }))
        ? { ok: true, method: "totp" }
        : { ok: false, reason: "reused" };
    }
  } else if (input.allowRecoveryCode) {
    if (await spendRecoveryCode(db, { userId: input.userId, codeHash: hashRecoveryCode(input.code), now })) {
      result = {
        ok: true,
        method: "recovery_code",
        remaining: await countUnusedRecoveryCodes(db, { userId: input.userId }),
      };
    }
  }

  if (result.ok) {
    await throttle.succeed(attempt);
  } else {
    await throttle.fail(attempt);
    await fail(result.reason === "reused" ? "reused_code" : "wrong_code");
  }
  return result;
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** A refused code as an error the form shows next to the code field. */
export function secondFactorError(
  check: Exclude<SecondFactorCheck, { ok: true }>,
  allowRecoveryCode: boolean,
): AppError {
  const details = { field: "code" };
  switch (check.reason) {
    case "throttled":
      return new AppError(
        "rate_limited",
        `Too many wrong codes. Try again in ${waitText(Math.max(1, check.retryAfterSeconds))}.`,
        { details, headers: { "retry-after": String(check.retryAfterSeconds) } },
      );
    case "reused":
      return new AppError("invalid_request", "This code has already been used. Wait for the next code from your app.", {
        details,
      });
    case "invalid":
      return new AppError(
        "invalid_request",
        allowRecoveryCode
          ? "That code is not right. Enter the 6-digit code your app shows now, or an unused recovery code."
          : "That code is not right. Enter the 6-digit code your app shows now.",
        { details },
      );
  }
}
