import "server-only";
import { and, eq, lt, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { rateLimits, signInFailureTallies, type SignInFailureTally } from "../schema";

// The first few distinct values of a tally's lists are kept; the count carries the rest.
const MAX_LISTED = 10;

function appendDistinct(
  column: typeof signInFailureTallies.addresses | typeof signInFailureTallies.emails,
  value: string | null,
) {
  if (value === null) return sql`${column}`;
  const item = sql`to_jsonb(${value}::text)`;
  return sql`case when ${column} @> jsonb_build_array(${item}) or jsonb_array_length(${column}) >= ${MAX_LISTED} then ${column} else ${column} || jsonb_build_array(${item}) end`;
}

/** Counts one failed sign-in in the open window of `key`, in one statement, so no failure is lost. */
export async function tallySignInFailure(
  db: Executor,
  input: {
    key: string;
    userId: string | null;
    email: string | null;
    reason: string;
    address: string | null;
    listEmail: string | null;
    now: Date;
  },
): Promise<void> {
  const reasonCount = sql`coalesce((${signInFailureTallies.reasons} ->> ${input.reason})::int, 0) + 1`;
  await db
    .insert(signInFailureTallies)
    .values({
      key: input.key,
      userId: input.userId,
      email: input.email,
      failures: 1,
      reasons: { [input.reason]: 1 },
      addresses: input.address ? [input.address] : [],
      emails: input.listEmail ? [input.listEmail] : [],
      windowStartedAt: input.now,
      lastFailedAt: input.now,
    })
    .onConflictDoUpdate({
      target: signInFailureTallies.key,
      set: {
        failures: sql`${signInFailureTallies.failures} + 1`,
        reasons: sql`${signInFailureTallies.reasons} || jsonb_build_object(${input.reason}::text, ${reasonCount})`,
        addresses: appendDistinct(signInFailureTallies.addresses, input.address),
        emails: appendDistinct(signInFailureTallies.emails, input.listEmail),
        lastFailedAt: sql`greatest(${signInFailureTallies.lastFailedAt}, ${input.now.toISOString()}::timestamptz)`,
      },
    });
}

/** Removes and returns the tally of `key` if its window opened before `before` (or at all, without `before`). */
export async function takeSignInFailureTally(
  db: Executor,
  { key, before }: { key: string; before?: Date },
): Promise<SignInFailureTally | null> {
  const [row] = await db
    .delete(signInFailureTallies)
    .where(
      before
        ? and(eq(signInFailureTallies.key, key), lt(signInFailureTallies.windowStartedAt, before))
        : eq(signInFailureTallies.key, key),
    )
    .returning();
  return row ?? null;
}

/** Removes and returns every tally whose window opened before `before`. */
export async function takeClosedSignInFailureTallies(
  db: Executor,
  { before }: { before: Date },
): Promise<SignInFailureTally[]> {
  return db.delete(signInFailureTallies).where(lt(signInFailureTallies.windowStartedAt, before)).returning();
}

/** Forgets rate-limit counters that expired before `before`. */
export async function deleteExpiredRateLimits(db: Executor, { before }: { before: Date }): Promise<number> {
  const rows = await db.delete(rateLimits).where(lt(rateLimits.expire, before)).returning({ key: rateLimits.key });
  return rows.length;
}
