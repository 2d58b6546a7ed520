import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "../client";
import { userSessions, type UserSession } from "../schema";

export type SessionEndReason =
  "sign_out" | "password_changed" | "password_reset" | "disabled" | "roles_changed" | "mfa_reset" | "idle" | "expired";

export async function createUserSession(
  db: Executor,
  { userId, method, now = new Date() }: { userId: string; method: string; now?: Date },
): Promise<UserSession> {
  const [row] = await db.insert(userSessions).values({ userId, method, createdAt: now, lastSeenAt: now }).returning();
  if (!row) throw new Error("insert into user_sessions returned no row");
  return row;
}

export async function getUserSession(
  db: Executor,
  { id, userId }: { id: string; userId: string },
): Promise<UserSession | null> {
  const [row] = await db
    .select()
    .from(userSessions)
    .where(and(eq(userSessions.id, id), eq(userSessions.userId, userId)));
  return row ?? null;
}

export async function touchUserSession(db: Executor, { id, now }: { id: string; now: Date }): Promise<void> {
  await db
    .update(userSessions)
    .set({ lastSeenAt: now })
    .where(and(eq(userSessions.id, id), isNull(userSessions.endedAt)));
}

export async function endUserSession(
  db: Executor,
  { id, reason, now = new Date() }: { id: string; reason: SessionEndReason; now?: Date },
): Promise<void> {
  await db
    .update(userSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(userSessions.id, id), isNull(userSessions.endedAt)));
}

/** Ends every open session of a user; returns how many were open. */
export async function endSessionsOfUser(
  db: Executor,
  { userId, reason, now = new Date() }: { userId: string; reason: SessionEndReason; now?: Date },
): Promise<number> {
  const rows = await db
    .update(userSessions)
    .set({ endedAt: now, endReason: reason })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.endedAt)))
    .returning({ id: userSessions.id });
  return rows.length;
}

/** Records that an open session passed its second factor. */
export async function markSessionSecondFactor(db: Executor, { id, now = new Date() }: { id: string; now?: Date }) {
  await db
    .update(userSessions)
    .set({ secondFactorAt: now })
    .where(and(eq(userSessions.id, id), isNull(userSessions.endedAt)));
}
