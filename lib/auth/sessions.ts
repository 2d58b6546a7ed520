import "server-only";
import type { Executor } from "@/db/client";
import { createUserSession, endUserSession, getUserSession, touchUserSession } from "@/db/queries/sessions";
import type { UserSession } from "@/db/schema";
import type { Env } from "@/lib/env";

// Browser sessions live in the database (user_sessions); the cookie only names one. A session is
// good while its row is open, was used within the idle limit and is younger than the absolute
// limit. Everything that should end sessions ends rows, so the next request already fails.

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export function sessionPolicy(e: Pick<Env, "SESSION_IDLE_MINUTES" | "SESSION_MAX_HOURS">): SessionPolicy {
  return { idleMinutes: e.SESSION_IDLE_MINUTES, maxHours: e.SESSION_MAX_HOURS };
}

export type SessionCheck =
  { ok: true; session: UserSession } | { ok: false; reason: "unknown" | "ended" | "idle" | "expired" };

// last_seen_at moves at most this often, so a page with many requests costs one write a minute.
const TOUCH_INTERVAL_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function openSession(db: Executor, { userId, method }: { userId: string; method: "credentials" | "oidc" }) {
  return createUserSession(db, { userId, method });
}

/** Checks the session a cookie names, ending it when it ran past a limit. */
export async function checkSession(
  db: Executor,
  { sessionId, userId }: { sessionId: string; userId: string },
  policy: SessionPolicy,
  now: Date = new Date(),
): Promise<SessionCheck> {
  if (!UUID.test(sessionId) || !UUID.test(userId)) return { ok: false, reason: "unknown" };
  const session = await getUserSession(db, { id: sessionId, userId });
  if (!session) return { ok: false, reason: "unknown" };
  if (session.endedAt) return { ok: false, reason: "ended" };
  if (now.getTime() - session.createdAt.getTime() >= policy.maxHours * 3_600_000) {
    await endUserSession(db, { id: session.id, reason: "expired", now });
    return { ok: false, reason: "expired" };
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= policy.idleMinutes * 60_000) {
    await endUserSession(db, { id: session.id, reason: "idle", now });
    return { ok: false, reason: "idle" };
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= Math.min(TOUCH_INTERVAL_MS, policy.idleMinutes * 6_000)) {
    await touchUserSession(db, { id: session.id, now });
  }
  return { ok: true, session };
}

export function closeSession(db: Executor, sessionId: string) {
  return endUserSession(db, { id: sessionId, reason: "sign_out" });
}
