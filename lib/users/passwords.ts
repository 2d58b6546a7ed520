import "server-only";
import { randomBytes } from "node:crypto";
import type { Database } from "@/db/client";
import { getUserById, getUserPasswordHash, setUserPasswordHash } from "@/db/queries/users";
import { appendAudit } from "@/lib/audit/log";
import type { Actor } from "@/lib/auth/actor";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { assertAcceptablePassword } from "@/lib/auth/password-strength";
import { AppError } from "@/lib/errors";
import { principalOf, requireRoleNow } from "@/lib/service/context";

// Changing, resetting and replacing passwords. Each one ends every session of the account (in
// setUserPasswordHash), so the person signs in again with the new password, and so does anyone
// holding a copy of an old session cookie: they cannot.

async function requireOwnPasswordHash(db: Database, userId: string): Promise<string> {
  const hash = await getUserPasswordHash(db, { id: userId });
  if (!hash) {
    throw new AppError("conflict", "This account signs in through single sign-on and has no password here.");
  }
  return hash;
}

async function acceptNewPassword(currentHash: string, next: string, about: { email: string; name: string }) {
  if (await verifyPassword(currentHash, next)) {
    throw new AppError("invalid_request", "The new password must differ from the current one.", {
      details: { field: "newPassword" },
    });
  }
  await assertAcceptablePassword(next, about);
  return hashPassword(next);
}

/** Whether the account has a password of this product's to change (SSO-only accounts do not). */
export async function hasOwnPassword(db: Database, userId: string): Promise<boolean> {
  return (await getUserPasswordHash(db, { id: userId })) !== null;
}

/** A signed-in user changes their own password; the current one is required. */
export async function changeOwnPassword(
  { actor, db }: { actor: Actor; db: Database },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  if (actor.via !== "session") throw new AppError("forbidden", "Change your password in the browser, signed in.");
  // A session read before the account was disabled does not get to change its password.
  await principalOf({ actor, db });
  const currentHash = await requireOwnPasswordHash(db, actor.id);
  if (!(await verifyPassword(currentHash, input.currentPassword))) {
    throw new AppError("invalid_request", "Your current password is not right.", {
      details: { field: "currentPassword" },
    });
  }
  const passwordHash = await acceptNewPassword(currentHash, input.newPassword, actor);
  await db.transaction(async (tx) => {
    await setUserPasswordHash(tx, { userId: actor.id, passwordHash, reason: "password_changed" });
    await appendAudit(tx, {
      type: "user.password_changed",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { userId: actor.id },
      payload: { via: actor.via, email: actor.email, reason: "own choice" },
    });
  });
}

/**
 * An administrator resets someone's password to a one-time password, returned to be shown once.
 * The person must replace it at their next sign-in; their sessions end now.
 */
export async function resetPassword(
  { actor, db }: { actor: Actor; db: Database },
  { userId }: { userId: string },
): Promise<{ oneTimePassword: string }> {
  await requireRoleNow({ actor, db }, "admin", "reset a password");
  if (actor.id === userId) {
    throw new AppError("conflict", "Change your own password on your profile page; a reset is for someone else's.");
  }
  const user = await getUserById(db, { id: userId });
  if (!user) throw new AppError("not_found", "No user with this id.");
  await requireOwnPasswordHash(db, userId);
  // 120 random bits in 20 characters: nothing to guess, and short enough to read out.
  const oneTimePassword = randomBytes(15).toString("base64url");
  const passwordHash = await hashPassword(oneTimePassword);
  await db.transaction(async (tx) => {
    await setUserPasswordHash(tx, { userId, passwordHash, mustChange: true, reason: "password_reset" });
    await appendAudit(tx, {
      type: "user.password_reset",
      actorId: actor.id,
      actorEmail: actor.email,
      subject: { userId },
      payload: { via: actor.via, email: user.email },
    });
  });
  return { oneTimePassword };
}

/** The first step of a sign-in with a one-time password: the person chooses their own. */
export async function replaceOneTimePassword(
  db: Database,
  { userId, newPassword }: { userId: string; newPassword: string },
): Promise<void> {
  const user = await getUserById(db, { id: userId });
  if (!user || user.disabled) throw new AppError("unauthorized", "Sign in again.");
  const currentHash = await requireOwnPasswordHash(db, userId);
  const passwordHash = await acceptNewPassword(currentHash, newPassword, user);
  await db.transaction(async (tx) => {
    await setUserPasswordHash(tx, { userId, passwordHash, reason: "password_changed" });
    await appendAudit(tx, {
      type: "user.password_changed",
      actorId: userId,
      actorEmail: user.email,
      subject: { userId },
      payload: { via: "session", email: user.email, reason: "replaced one-time password" },
    });
  });
}
