import "server-only";
import type { Executor } from "@/db/client";
import { createUserSession, endUserSession, getUserSession, touchUserSession } from "@/db/queries/sessions";
import { getUserSignInState, listRolesForUsers } from "@/db/queries/users";
import type { Role, UserSession } from "@/db/schema";
import type { Env } from "@/lib/env";

// Browser sessions live in the database (user_sessions); the cookie only names one. A session is
// good while its row is open, was used within the idle limit and is younger than the absolute
// limit. Everything that should end sessions ends rows, so the next request already fails.

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
  /** Local accounts with any of these roles must enrol a second factor before using a session; none when absent. */
  mfaRequiredRoles?: readonly Role[];
}

export function sessionPolicy(
  e: Pick<Env, "SESSION_IDLE_MINUTES" | "SESSION_MAX_HOURS" | "MFA_REQUIRED_ROLES">,
): SessionPolicy {
  return { idleMinutes: e.SESSION_IDLE_MINUTES, maxHours: e.SESSION_MAX_HOURS, mfaRequiredRoles: e.MFA_REQUIRED_ROLES };
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

/**
 * What the person must still do before a signed-in session may be used: enter a code from their
 * authenticator (or a recovery code), replace a one-time password, or set up a second factor their
 * role requires.
 */
export type PendingStep = "mfa" | "change_password" | "enrol_mfa";

export const PENDING_STEP_PATH: Record<PendingStep, string> = {
  mfa: "/login/mfa",
  change_password: "/login/password",
  enrol_mfa: "/login/mfa/setup",
};

export type SessionState =
  | { kind: "active"; sessionId: string; userId: string }
  | { kind: "pending"; step: PendingStep; sessionId: string; userId: string; email: string };

/**
 * The state of the session a cookie names, decided from the database now: null when there is no
 * usable session (ended, past a limit, or the account is disabled or gone).
 */
export async function resolveSession(
  db: Executor,
  ids: { sessionId: string; userId: string },
  policy: SessionPolicy,
  now: Date = new Date(),
): Promise<SessionState | null> {
  const check = await checkSession(db, ids, policy, now);
  if (!check.ok) return null;
  const user = await getUserSignInState(db, { id: ids.userId });
  if (!user || user.disabled) return null;
  // Single sign-on sessions owe nothing here: the identity provider does its own second factor.
  if (check.session.method !== "credentials") return { kind: "active", ...ids };
  const pending = (step: PendingStep): SessionState => ({ kind: "pending", step, ...ids, email: user.email });
  // The second factor comes first, so a password alone (one-time or not) changes nothing.
  if (user.mfaEnabled && !check.session.secondFactorAt) return pending("mfa");
  // A one-time password proves who signed in, and nothing else: it opens only the form that replaces it.
  if (user.passwordMustChange) return pending("change_password");
  const required = policy.mfaRequiredRoles ?? [];
  if (!user.mfaEnabled && required.length > 0) {
    const roles = (await listRolesForUsers(db, { userIds: [user.id] })).get(user.id) ?? [];
    if (roles.some((r) => required.includes(r))) return pending("enrol_mfa");
  }
  return { kind: "active", ...ids };
}

export function closeSession(db: Executor, sessionId: string) {
  return endUserSession(db, { id: sessionId, reason: "sign_out" });
}
