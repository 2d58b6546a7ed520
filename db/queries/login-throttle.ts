import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { loginThrottle } from "../schema";

export async function getLoginThrottle(db: Executor, { key }: { key: string }) {
  const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
  return row ?? null;
}

/**
 * Counts one failed sign-in in a single statement, so concurrent attempts cannot lose
 * increments. A window older than `windowMs` starts over; reaching `maxFailures` locks the key.
 */
export async function recordLoginFailure(
  db: Executor,
  input: { key: string; now: Date; windowMs: number; maxFailures: number; lockMs: number },
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const windowStart = new Date(input.now.getTime() - input.windowMs);
  const lockUntil = new Date(input.now.getTime() + input.lockMs);
  const fresh = sql`${loginThrottle.windowStartedAt} < ${windowStart.toISOString()}::timestamptz`;
  const nextFailures = sql`case when ${fresh} then 1 else ${loginThrottle.failures} + 1 end`;
  const [row] = await db
    .insert(loginThrottle)
    .values({
      key: input.key,
      failures: 1,
      windowStartedAt: input.now,
      lockedUntil: input.maxFailures <= 1 ? lockUntil : null,
    })
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures: nextFailures,
        windowStartedAt: sql`case when ${fresh} then ${input.now.toISOString()}::timestamptz else ${loginThrottle.windowStartedAt} end`,
        lockedUntil: sql`case when ${nextFailures} >= ${input.maxFailures} then ${lockUntil.toISOString()}::timestamptz else ${loginThrottle.lockedUntil} end`,
      },
    })
    .returning({ failures: loginThrottle.failures, lockedUntil: loginThrottle.lockedUntil });
  return row ?? { failures: 1, lockedUntil: null };
}

export async function clearLoginThrottle(db: Executor, { key }: { key: string }): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
