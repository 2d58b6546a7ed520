import "server-only";
import type { z } from "zod";
import type { Database } from "@/db/client";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { isUniqueViolation } from "@/db/queries/errors";
import {
  countOtherActiveAdmins,
  countUsers,
  createUser,
  getUserByEmail,
  getUserWithAccess,
  listUsers,
  normalizeEmail,
  replaceUserRoles,
  setUserDisabled,
  updateUserProfile,
  type UserWithAccess,
} from "@/db/queries/users";
import type { Role } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { assertAcceptablePassword } from "@/lib/auth/password-strength";
import { AppError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import type { createUserSchema, updateUserSchema } from "./schemas";

// User administration, shared by the admin API, the admin pages and the CLI: administrators
// (or the operator at the command line) only, checked here.

export async function addUser(ctx: ServiceContext, input: z.infer<typeof createUserSchema>): Promise<UserWithAccess> {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "create users");
  await assertAcceptablePassword(input.password, { email: input.email, name: input.name });
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.transaction(async (tx) => {
      const created = await createUser(tx, {
        email: input.email,
        name: input.name,
        roles: input.roles as Role[],
        passwordHash,
      });
      await appendAudit(tx, {
        type: "user.created",
        ...auditBy(by),
        subject: { userId: created.id },
        payload: {
          via: by.via,
          email: created.email,
          name: created.name,
          roles: input.roles,
          authProvider: created.authProvider,
        },
      });
      return created;
    });
    return { ...user, roles: input.roles as Role[], groups: [] };
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError("conflict", `A user with the email ${normalizeEmail(input.email)} already exists.`, {
        cause: err,
      });
    }
    throw err;
  }
}

export async function listAllUsers(db: Database) {
  return listUsers(db);
}

export async function findUserById(db: Database, id: string): Promise<UserWithAccess | null> {
  return getUserWithAccess(db, { id });
}

export async function requireUserById(db: Database, id: string): Promise<UserWithAccess> {
  const user = await getUserWithAccess(db, { id });
  if (!user) throw new AppError("not_found", "No user with this id.");
  return user;
}

export async function requireUserByEmail(db: Database, email: string) {
  const user = await getUserByEmail(db, { email });
  if (!user) throw new AppError("not_found", `No user with the email ${email}.`);
  return user;
}

/**
 * Changes roles, the disabled flag or the name. Refuses changes that would leave no active
 * administrator, since nobody could then undo them from the product.
 */
export async function updateUser(
  ctx: ServiceContext,
  { userId, changes }: { userId: string; changes: z.infer<typeof updateUserSchema> },
): Promise<UserWithAccess> {
  const { actor: who, db } = ctx;
  await requireRoleNow(ctx, "admin", "change users' roles, names or status");
  const user = await requireUserById(db, userId);
  const losesAdmin =
    user.roles.includes("admin") &&
    !user.disabled &&
    ((changes.roles !== undefined && !changes.roles.includes("admin")) || changes.disabled === true);
  if (losesAdmin && (await countOtherActiveAdmins(db, { exceptUserId: userId })) === 0) {
    throw new AppError("conflict", "This is the last active administrator; make someone else an administrator first.");
  }
  if (who.id === userId && changes.disabled === true) {
    throw new AppError("conflict", "You cannot disable your own account.");
  }
  await db.transaction(async (tx) => {
    if (changes.roles !== undefined) await replaceUserRoles(tx, { userId, roles: changes.roles as Role[] });
    if (changes.disabled !== undefined) await setUserDisabled(tx, { userId, disabled: changes.disabled });
    if (changes.name !== undefined) await updateUserProfile(tx, { userId, name: changes.name });
    const base = { ...auditBy(who), subject: { userId } };
    const about = { via: who.via, email: user.email };
    if (changes.roles !== undefined && [...user.roles].sort().join() !== [...changes.roles].sort().join()) {
      await appendAudit(tx, {
        type: "user.roles_changed",
        ...base,
        payload: { ...about, before: user.roles, after: changes.roles },
      });
    }
    if (changes.disabled !== undefined && changes.disabled !== user.disabled) {
      await appendAudit(tx, { type: changes.disabled ? "user.disabled" : "user.enabled", ...base, payload: about });
    }
    if (changes.name !== undefined && changes.name !== user.name) {
      await appendAudit(tx, {
        type: "user.renamed",
        ...base,
        payload: { ...about, before: user.name, name: changes.name },
      });
    }
  });
  return requireUserById(db, userId);
}

export async function hasAnyUser(db: Database): Promise<boolean> {
  return (await countUsers(db)) > 0;
}
