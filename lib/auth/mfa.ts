import "server-only";
import type { Database } from "@/db/client";
import {
  countUnusedRecoveryCodes,
  deleteMfa,
  enableMfa,
  getUserMfa,
  putPendingMfa,
  replaceRecoveryCodes,
} from "@/db/queries/mfa";
import { endSessionsOfUser, markSessionSecondFactor } from "@/db/queries/sessions";
import { getUserById, getUserPasswordHash } from "@/db/queries/users";
import { appendAudit } from "@/lib/audit/log";
import { AppError } from "@/lib/errors";
import { principalOf, requireRoleNow, type ServiceContext } from "@/lib/service/context";
import type { Actor } from "./actor";
import type { SignInPolicy } from "./credentials";
import { openTotpSecret, sealTotpSecret } from "./mfa-secret";
import { verifyPassword } from "./password";
import { checkSecondFactor, secondFactorError } from "./second-factor";
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUri, secretForDisplay } from "./totp";

// The TOTP second factor of local accounts: set up (confirmed with a real code before it is on),
// recovery codes (shown once, stored hashed), switching off, and an administrator's reset. Each
// change is audited in its transaction. SSO accounts have none: their provider does that.

/** The person acting on their own factor: a signed-in actor, or a session half-way through sign-in. */
export interface MfaSelf {
  id: string;
  email: string;
}

interface SelfContext {
  actor: MfaSelf;
  db: Database;
}

export interface MfaStatus {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  /** A set-up that was started and not confirmed yet. */
  pending: boolean;
}

export async function mfaStatusOf(db: Database, userId: string): Promise<MfaStatus> {
  const row = await getUserMfa(db, { userId });
  return {
    enabled: Boolean(row?.enabledAt),
    enabledAt: row?.enabledAt ?? null,
    recoveryCodesLeft: row?.enabledAt ? await countUnusedRecoveryCodes(db, { userId }) : 0,
    pending: Boolean(row && !row.enabledAt),
  };
}

/** Starts setting up (again): a new secret, kept sealed and asking nothing until a code confirms it. */
export async function startMfaEnrolment({ actor, db }: SelfContext): Promise<void> {
  if (!(await getUserPasswordHash(db, { id: actor.id }))) {
    throw new AppError(
      "conflict",
      "This account signs in through single sign-on; its identity provider asks for the second factor.",
    );
  }
  const row = await getUserMfa(db, { userId: actor.id });
  if (row?.enabledAt) throw new AppError("conflict", "Two-step sign-in is already on for this account.");
  await putPendingMfa(db, { userId: actor.id, secret: sealTotpSecret(actor.id, newTotpSecret()) });
}

/** What the set-up page shows: the secret (typed or scanned) while, and only while, it is not confirmed. */
export async function pendingEnrolmentOf(db: Database, self: MfaSelf): Promise<{ secret: string; uri: string } | null> {
  const row = await getUserMfa(db, { userId: self.id });
  if (!row || row.enabledAt) return null;
  const secret = openTotpSecret(self.id, row.secret);
  return { secret: secretForDisplay(secret), uri: otpauthUri(secret, self.email) };
}

async function issueRecoveryCodes(db: Database, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await replaceRecoveryCodes(db, { userId, hashes: codes.map(hashRecoveryCode) });
  return codes;
}

/**
 * Confirms the set-up with a code from the app and switches the factor on; `sessionId` (the
 * session doing it) counts as having passed it. Returns the recovery codes, shown once.
 */
export async function confirmMfaEnrolment(
  { actor, db }: SelfContext,
  input: { code: string; address: string | null; sessionId: string | null },
  policy: SignInPolicy,
): Promise<{ recoveryCodes: string[] }> {
  const row = await getUserMfa(db, { userId: actor.id });
  if (row?.enabledAt) throw new AppError("conflict", "Two-step sign-in is already on for this account.");
  if (!row) throw new AppError("conflict", "Start setting up two-step sign-in first.");
  const check = await checkSecondFactor(
    db,
    {
      userId: actor.id,
      email: actor.email,
      code: input.code,
      address: input.address,
      factor: "pending",
      allowRecoveryCode: false,
    },
    policy,
  );
  if (!check.ok) throw secondFactorError(check, false);
  return db.transaction(async (tx) => {
    await enableMfa(tx, { userId: actor.id });
    const recoveryCodes = await issueRecoveryCodes(tx, actor.id);
    if (input.sessionId) await markSessionSecondFactor(tx, { id: input.sessionId });
    await appendAudit(tx, {
      type: "auth.mfa_enrolled",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { userId: actor.id },
      payload: { method: "totp", recoveryCodes: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
}

/** The second step of a password sign-in: a code from the app or an unused recovery code. */
export async function passSecondFactor(
  { actor, db }: SelfContext,
  input: { code: string; address: string | null; sessionId: string },
  policy: SignInPolicy,
): Promise<{ method: "totp" | "recovery_code"; recoveryCodesLeft: number | null }> {
  const check = await checkSecondFactor(
    db,
    {
      userId: actor.id,
      email: actor.email,
      code: input.code,
      address: input.address,
      factor: "enabled",
      allowRecoveryCode: true,
    },
    policy,
  );
  if (!check.ok) throw secondFactorError(check, true);
  await db.transaction(async (tx) => {
    await markSessionSecondFactor(tx, { id: input.sessionId });
    await appendAudit(tx, {
      type: check.method === "totp" ? "auth.mfa_verified" : "auth.mfa_recovery_code_used",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { userId: actor.id },
      payload: check.method === "totp" ? { method: "totp" } : { method: "recovery_code", remaining: check.remaining },
    });
  });
  return { method: check.method, recoveryCodesLeft: check.method === "recovery_code" ? check.remaining : null };
}

/** New recovery codes for a signed-in person, confirmed with a current code; the old ones stop working. */
export async function regenerateRecoveryCodes(
  { actor, db }: { actor: Actor; db: Database },
  input: { code: string; address: string | null },
  policy: SignInPolicy,
): Promise<{ recoveryCodes: string[] }> {
  if (actor.via !== "session") throw new AppError("forbidden", "Manage two-step sign-in in the browser, signed in.");
  // A session read before the account was disabled does not get to change its second factor.
  await principalOf({ actor, db });
  const check = await checkSecondFactor(
    db,
    {
      userId: actor.id,
      email: actor.email,
      code: input.code,
      address: input.address,
      factor: "enabled",
      allowRecoveryCode: false,
    },
    policy,
  );
  if (!check.ok) throw secondFactorError(check, false);
  return db.transaction(async (tx) => {
    const recoveryCodes = await issueRecoveryCodes(tx, actor.id);
    await appendAudit(tx, {
      type: "auth.mfa_recovery_codes_regenerated",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { userId: actor.id },
      payload: { recoveryCodes: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
}

/** Switches the factor off: the password and a current code (or a recovery code) are both required. */
export async function disableOwnMfa(
  { actor, db }: { actor: Actor; db: Database },
  input: { password: string; code: string; address: string | null },
  policy: SignInPolicy,
): Promise<void> {
  if (actor.via !== "session") throw new AppError("forbidden", "Manage two-step sign-in in the browser, signed in.");
  // A session read before the account was disabled does not get to change its second factor.
  await principalOf({ actor, db });
  const hash = await getUserPasswordHash(db, { id: actor.id });
  if (!hash || !(await verifyPassword(hash, input.password))) {
    throw new AppError("invalid_request", "Your password is not right.", { details: { field: "password" } });
  }
  const check = await checkSecondFactor(
    db,
    {
      userId: actor.id,
      email: actor.email,
      code: input.code,
      address: input.address,
      factor: "enabled",
      allowRecoveryCode: true,
    },
    policy,
  );
  if (!check.ok) throw secondFactorError(check, true);
  await db.transaction(async (tx) => {
    await deleteMfa(tx, { userId: actor.id });
    await appendAudit(tx, {
      type: "auth.mfa_disabled",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { userId: actor.id },
      payload: { via: actor.via, confirmedWith: check.method },
    });
  });
}

/**
 * An administrator removes someone's factor (a lost phone and no recovery codes) and ends their
 * sessions; they sign in with their password and, if their role requires it, set it up again.
 */
export async function resetMfa(
  { actor, db }: ServiceContext,
  { userId }: { userId: string },
): Promise<{ sessionsEnded: number }> {
  await requireRoleNow({ actor, db }, "admin", "reset two-step sign-in");
  if (actor.id === userId) {
    throw new AppError(
      "conflict",
      "Switch your own two-step sign-in off on your profile page; a reset is for someone else's.",
    );
  }
  const user = await getUserById(db, { id: userId });
  if (!user) throw new AppError("not_found", "No user with this id.");
  return db.transaction(async (tx) => {
    if (!(await deleteMfa(tx, { userId }))) {
      throw new AppError("conflict", `${user.email} has no two-step sign-in to reset.`);
    }
    const sessionsEnded = await endSessionsOfUser(tx, { userId, reason: "mfa_reset" });
    await appendAudit(tx, {
      type: "auth.mfa_reset",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { userId },
      payload: { via: actor.via, email: user.email, sessionsEnded },
    });
    return { sessionsEnded };
  });
}
