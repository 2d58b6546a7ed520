import "server-only";
import type { Executor } from "@/db/client";
import type { SignInFailureTally } from "@/db/schema";
import {
  deleteExpiredRateLimits,
  takeClosedSignInFailureTallies,
  takeSignInFailureTally,
  tallySignInFailure,
} from "@/db/queries/sign-in-failures";
import { appendAuditBatch } from "@/lib/audit/log";
import type { AuditEventInput } from "@/lib/audit/types";

// Failed sign-ins reach the audit trail in aggregate: one `auth.sign_in_failed` event per account
// (and one for all emails that name no account) per window, with the count, the reasons and the
// first few addresses. A flood of attempts therefore adds at most (accounts + 1) events per window
// to a chain that can never be thinned. A window's event is written when the window has closed
// (by the next failure after it, or the sweep), or at once when the account signs in successfully.

export const UNKNOWN_ACCOUNTS_KEY = "unknown";

export type FailureReason =
  "wrong_password" | "unknown_email" | "no_password" | "disabled" | "throttled" | "wrong_code" | "reused_code";

function eventOf(t: SignInFailureTally): AuditEventInput {
  const reasons = Object.keys(t.reasons).sort();
  return {
    type: "auth.sign_in_failed",
    actorId: t.userId,
    actorEmail: t.email,
    payload: {
      method: "credentials",
      email: t.email,
      reason: reasons.join(", "),
      count: t.failures,
      reasons: t.reasons,
      firstAt: t.windowStartedAt.toISOString(),
      lastAt: t.lastFailedAt.toISOString(),
      addresses: t.addresses,
      ...(t.key === UNKNOWN_ACCOUNTS_KEY ? { emails: t.emails } : {}),
    },
  };
}

/** Counts one failure; first writes the event of this key's previous window if that has closed. */
export async function recordSignInFailure(
  db: Executor,
  input: { userId: string | null; email: string; reason: FailureReason; address: string | null; now: Date },
  windowMinutes: number,
): Promise<void> {
  const key = input.userId ?? UNKNOWN_ACCOUNTS_KEY;
  await db.transaction(async (tx) => {
    const closed = await takeSignInFailureTally(tx, {
      key,
      before: new Date(input.now.getTime() - windowMinutes * 60_000),
    });
    await tallySignInFailure(tx, {
      key,
      userId: input.userId,
      email: input.userId ? input.email : null,
      listEmail: input.userId ? null : input.email,
      reason: input.reason,
      address: input.address,
      now: input.now,
    });
    if (closed) await appendAuditBatch(tx, [eventOf(closed)]);
  });
}

/** Writes the open window of an account now (before its successful sign-in is recorded). */
export async function closeSignInFailuresOf(db: Executor, userId: string): Promise<void> {
  const open = await takeSignInFailureTally(db, { key: userId });
  if (open) await appendAuditBatch(db, [eventOf(open)]);
}

/** The sweep: writes every window that has closed, and forgets expired rate-limit counters. */
export async function closeSignInFailureWindows(
  db: Executor,
  { windowMinutes, now = new Date() }: { windowMinutes: number; now?: Date },
): Promise<number> {
  const written = await db.transaction(async (tx) => {
    const closed = await takeClosedSignInFailureTallies(tx, {
      before: new Date(now.getTime() - windowMinutes * 60_000),
    });
    if (closed.length > 0) await appendAuditBatch(tx, closed.map(eventOf));
    return closed.length;
  });
  await deleteExpiredRateLimits(db, { before: now });
  return written;
}

/** Runs the sweep every minute in this process (any number of nodes may run it: each window is taken once). */
export function startSignInFailureSweep(db: Executor, windowMinutes: number, onError: (err: unknown) => void): void {
  const timer = setInterval(() => {
    closeSignInFailureWindows(db, { windowMinutes }).catch(onError);
  }, 60_000);
  timer.unref();
}
