import "server-only";
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { mfaRecoveryCodes, userMfa, type UserMfa } from "../schema";

// The TOTP factor and recovery codes of local accounts. Secrets arrive here already sealed.

export async function getUserMfa(db: Executor, { userId }: { userId: string }): Promise<UserMfa | null> {
  const [row] = await db.select().from(userMfa).where(eq(userMfa.userId, userId));
  return row ?? null;
}

/** Starts (or restarts) an enrolment: a new sealed secret, not enabled until a code confirms it. */
export async function putPendingMfa(db: Executor, { userId, secret }: { userId: string; secret: string }) {
  await db
    .insert(userMfa)
    .values({ userId, secret })
    .onConflictDoUpdate({
      target: userMfa.userId,
      set: { secret, enabledAt: null, lastUsedStep: 0, createdAt: sql`now()` },
      // An enabled factor is never replaced by a new enrolment.
      setWhere: isNull(userMfa.enabledAt),
    });
}

/**
 * Takes a code's time step: succeeds only while no code of this or a later step was accepted,
 * so two requests racing with the same code cannot both pass.
 */
export async function takeMfaStep(db: Executor, { userId, step }: { userId: string; step: number }): Promise<boolean> {
  const rows = await db
    .update(userMfa)
    .set({ lastUsedStep: step })
    .where(and(eq(userMfa.userId, userId), lt(userMfa.lastUsedStep, step)))
    .returning({ userId: userMfa.userId });
  return rows.length > 0;
}

export async function enableMfa(db: Executor, { userId, now = new Date() }: { userId: string; now?: Date }) {
  await db.update(userMfa).set({ enabledAt: now }).where(eq(userMfa.userId, userId));
}

/** Removes the factor and its recovery codes; returns whether there was one. */
export async function deleteMfa(db: Executor, { userId }: { userId: string }): Promise<boolean> {
  await db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  const rows = await db.delete(userMfa).where(eq(userMfa.userId, userId)).returning({ userId: userMfa.userId });
  return rows.length > 0;
}

export async function replaceRecoveryCodes(db: Executor, { userId, hashes }: { userId: string; hashes: string[] }) {
  await db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  await db.insert(mfaRecoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash })));
}

/** Marks an unused code as used; false when no such unused code exists (a reuse among them). */
export async function spendRecoveryCode(
  db: Executor,
  { userId, codeHash, now = new Date() }: { userId: string; codeHash: string; now?: Date },
): Promise<boolean> {
  const rows = await db
    .update(mfaRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, codeHash),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return rows.length > 0;
}

export async function countUnusedRecoveryCodes(db: Executor, { userId }: { userId: string }): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(mfaRecoveryCodes)
    .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

/** Sealed secrets not sealed by `keyId`, for key rotation. */
export async function listMfaSecretsNotUnder(db: Executor, { keyId, limit }: { keyId: string; limit: number }) {
  return db
    .select({ userId: userMfa.userId, secret: userMfa.secret })
    .from(userMfa)
    .where(sql`split_part(${userMfa.secret}, ':', 1) <> ${keyId}`)
    .limit(limit);
}

export async function resealMfaSecret(
  db: Executor,
  { userId, old, secret }: { userId: string; old: string; secret: string },
) {
  await db
    .update(userMfa)
    .set({ secret })
    .where(and(eq(userMfa.userId, userId), eq(userMfa.secret, old)));
}
