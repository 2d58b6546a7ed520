import "server-only";
import { and, asc, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { groupMembers, groups, userMfa, userRoles, users, type Role } from "../schema";
import { endSessionsOfUser } from "./sessions";

// Columns that may leave the server. The password hash is deliberately absent.
export const publicUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  disabled: users.disabled,
  authProvider: users.authProvider,
  lastLoginAt: users.lastLoginAt,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  disabled: boolean;
  authProvider: string;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithAccess extends PublicUser {
  roles: Role[];
  groups: { id: string; name: string }[];
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function countUsers(db: Executor): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

export async function getUserById(db: Executor, { id }: { id: string }): Promise<PublicUser | null> {
  const [row] = await db.select(publicUserColumns).from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function getUserByEmail(db: Executor, { email }: { email: string }): Promise<PublicUser | null> {
  const [row] = await db
    .select(publicUserColumns)
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  return row ?? null;
}

/** For the sign-in check only: includes the password hash. Never return this to a caller. */
export async function getUserCredentialsByEmail(db: Executor, { email }: { email: string }) {
  const [row] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, disabled: users.disabled })
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  return row ?? null;
}

/** What a sign-in still asks of the user before the session may be used. */
export async function getUserSignInState(db: Executor, { id }: { id: string }) {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      disabled: users.disabled,
      passwordMustChange: users.passwordMustChange,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
      mfaEnabled: sql<boolean>`${userMfa.enabledAt} is not null`,
    })
    .from(users)
    .leftJoin(userMfa, eq(userMfa.userId, users.id))
    .where(eq(users.id, id));
  return row ?? null;
}

/** For re-checking a signed-in user's password: includes the hash. Never return this to a caller. */
export async function getUserPasswordHash(db: Executor, { id }: { id: string }): Promise<string | null> {
  const [row] = await db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, id));
  return row?.passwordHash ?? null;
}

export async function createUser(
  db: Executor,
  input: {
    email: string;
    name: string;
    roles: Role[];
    passwordHash: string | null;
    /** The password was generated for the person, who must replace it at the first sign-in. */
    passwordMustChange?: boolean;
    authProvider?: string;
    externalIssuer?: string;
    externalSubject?: string;
  },
): Promise<PublicUser> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({
        email: normalizeEmail(input.email),
        name: input.name,
        passwordHash: input.passwordHash,
        passwordMustChange: input.passwordMustChange ?? false,
        authProvider: input.authProvider ?? "credentials",
        externalIssuer: input.externalIssuer,
        externalSubject: input.externalSubject,
      })
      .returning(publicUserColumns);
    if (!user) throw new Error("insert into users returned no row");
    const roles = [...new Set(input.roles)];
    if (roles.length > 0) await tx.insert(userRoles).values(roles.map((role) => ({ userId: user.id, role })));
    return user;
  });
}

export async function listRolesForUsers(
  db: Executor,
  { userIds }: { userIds: string[] },
): Promise<Map<string, Role[]>> {
  const out = new Map<string, Role[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .select({ userId: userRoles.userId, role: userRoles.role })
    .from(userRoles)
    .where(inArray(userRoles.userId, userIds))
    .orderBy(asc(userRoles.role));
  for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.role]);
  return out;
}

export async function listGroupsForUsers(
  db: Executor,
  { userIds }: { userIds: string[] },
): Promise<Map<string, { id: string; name: string }[]>> {
  const out = new Map<string, { id: string; name: string }[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .select({ userId: groupMembers.userId, id: groups.id, name: groups.name })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(inArray(groupMembers.userId, userIds))
    .orderBy(asc(groups.name));
  for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), { id: r.id, name: r.name }]);
  return out;
}

export async function getUserWithAccess(db: Executor, { id }: { id: string }): Promise<UserWithAccess | null> {
  const user = await getUserById(db, { id });
  if (!user) return null;
  const [roles, groupsByUser] = await Promise.all([
    listRolesForUsers(db, { userIds: [id] }),
    listGroupsForUsers(db, { userIds: [id] }),
  ]);
  return { ...user, roles: roles.get(id) ?? [], groups: groupsByUser.get(id) ?? [] };
}

export async function listUsers(db: Executor): Promise<UserWithAccess[]> {
  const rows = await db.select(publicUserColumns).from(users).orderBy(asc(users.email));
  const ids = rows.map((r) => r.id);
  const [roles, groupsByUser] = await Promise.all([
    listRolesForUsers(db, { userIds: ids }),
    listGroupsForUsers(db, { userIds: ids }),
  ]);
  return rows.map((u) => ({ ...u, roles: roles.get(u.id) ?? [], groups: groupsByUser.get(u.id) ?? [] }));
}

export async function replaceUserRoles(
  db: Executor,
  { userId, roles }: { userId: string; roles: Role[] },
): Promise<void> {
  await db.transaction(async (tx) => {
    const removed = await tx.delete(userRoles).where(eq(userRoles.userId, userId)).returning({ role: userRoles.role });
    const unique = [...new Set(roles)];
    if (unique.length > 0) await tx.insert(userRoles).values(unique.map((role) => ({ userId, role })));
    await tx.update(users).set({ updatedAt: new Date() }).where(eq(users.id, userId));
    // A session was opened under the old roles (and, for MFA, under the old requirements):
    // whoever holds it signs in again.
    const before = removed.map((r) => r.role).sort();
    if (before.join() !== [...unique].sort().join()) await endSessionsOfUser(tx, { userId, reason: "roles_changed" });
  });
}

export async function setUserDisabled(
  db: Executor,
  { userId, disabled }: { userId: string; disabled: boolean },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ disabled, updatedAt: new Date() }).where(eq(users.id, userId));
    if (disabled) await endSessionsOfUser(tx, { userId, reason: "disabled" });
  });
}

/** Replaces a password and ends every session the old one opened. */
export async function setUserPasswordHash(
  db: Executor,
  {
    userId,
    passwordHash,
    mustChange = false,
    reason = "password_changed",
  }: { userId: string; passwordHash: string; mustChange?: boolean; reason?: "password_changed" | "password_reset" },
) {
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, passwordMustChange: mustChange, passwordChangedAt: new Date(), updatedAt: new Date() })
      .where(eq(users.id, userId));
    await endSessionsOfUser(tx, { userId, reason });
  });
}

export async function recordLogin(db: Executor, { userId }: { userId: string }): Promise<void> {
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, userId));
}

/** Active admins other than `exceptUserId`; used to refuse locking everyone out. */
export async function countOtherActiveAdmins(
  db: Executor,
  { exceptUserId }: { exceptUserId: string },
): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.role, "admin"), eq(users.disabled, false), ne(users.id, exceptUserId)));
  return row?.n ?? 0;
}

/**
 * The account linked to an SSO identity. Accounts linked before issuers were recorded have none;
 * they are matched by subject on the one configured provider and get the issuer at that sign-in.
 */
export async function getUserByExternalIdentity(
  db: Executor,
  { provider, issuer, subject }: { provider: string; issuer: string; subject: string },
): Promise<PublicUser | null> {
  const [row] = await db
    .select(publicUserColumns)
    .from(users)
    .where(
      and(
        eq(users.authProvider, provider),
        eq(users.externalSubject, subject),
        or(eq(users.externalIssuer, issuer), isNull(users.externalIssuer)),
      ),
    );
  return row ?? null;
}

/** Whether an account found by email may be linked to an SSO identity. */
export async function getUserLinkState(db: Executor, { email }: { email: string }) {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      disabled: users.disabled,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`,
      externalSubject: users.externalSubject,
    })
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  return row ?? null;
}

export async function linkExternalIdentity(
  db: Executor,
  { userId, issuer, subject, provider }: { userId: string; issuer: string; subject: string; provider?: string },
): Promise<void> {
  await db
    .update(users)
    .set({
      externalIssuer: issuer,
      externalSubject: subject,
      ...(provider ? { authProvider: provider } : {}),
      updatedAt: new Date(),
    })
    .where(eq(users.id, userId));
}

export async function updateUserProfile(
  db: Executor,
  { userId, name, externalSubject }: { userId: string; name?: string; externalSubject?: string },
): Promise<void> {
  await db
    .update(users)
    .set({ ...(name ? { name } : {}), ...(externalSubject ? { externalSubject } : {}), updatedAt: new Date() })
    .where(eq(users.id, userId));
}
