import "server-only";
import type { Executor } from "@/db/client";
import { findActiveApiKeyByHash, touchApiKey } from "@/db/queries/api-keys";
import { getUserWithAccess } from "@/db/queries/users";
import type { ApiKeyScope, Role } from "@/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { effectiveKeyExpiry } from "./api-key-policy";
import { hashApiKey, looksLikeApiKey } from "./api-keys";
import { resolveSession, type SessionPolicy } from "./sessions";

/** Who is making this request, as the database says now. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  groups: { id: string; name: string }[];
  via: "session" | "api_key";
  /** The key this request came with, when via is "api_key". */
  apiKeyId?: string;
  /** What that key may be used for; apiRoute refuses a route outside them. */
  apiKeyScopes?: ApiKeyScope[];
}

export function hasRole(actor: Actor, role: Role): boolean {
  return actor.roles.includes(role);
}

/** Loads the user behind a session; null if the account is gone or disabled. */
export async function actorFromUserId(db: Executor, userId: string): Promise<Actor | null> {
  const user = await getUserWithAccess(db, { id: userId });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, roles: user.roles, groups: user.groups, via: "session" };
}

/**
 * The user behind a browser session cookie: null unless the session it names is still open and
 * within its limits, the account is enabled and the sign-in is complete (no one-time password
 * left to replace). This is what every page, action and cookie request goes through.
 */
export async function actorFromSession(
  db: Executor,
  { sessionId, userId }: { sessionId: string; userId: string },
  policy: SessionPolicy,
  now: Date = new Date(),
): Promise<Actor | null> {
  const state = await resolveSession(db, { sessionId, userId }, policy, now);
  if (state?.kind !== "active") return null;
  return actorFromUserId(db, userId);
}

// last_used_at is informational; writing it on every call would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000;

/** Resolves `Authorization: Bearer <key>`; throws 401 for a key that is malformed, unknown, revoked or expired. */
export async function actorFromApiKey(
  db: Executor,
  key: string,
  { maxDays = env().API_KEY_MAX_DAYS, now = new Date() }: { maxDays?: number; now?: Date } = {},
): Promise<Actor> {
  const invalid = new AppError("unauthorized", "Invalid or revoked API key.");
  if (!looksLikeApiKey(key)) throw invalid;
  const row = await findActiveApiKeyByHash(db, { keyHash: hashApiKey(key) });
  if (!row) throw invalid;
  if (row.disabled) throw new AppError("unauthorized", "The account that owns this API key is disabled.");
  const expiry = effectiveKeyExpiry(row, maxDays);
  if (expiry.getTime() <= now.getTime()) {
    throw new AppError(
      "unauthorized",
      `This API key expired on ${expiry.toISOString()}. Create a new key on the Profile page.`,
    );
  }
  const actor = await actorFromUserId(db, row.userId);
  if (!actor) throw invalid;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await touchApiKey(db, { id: row.id });
  }
  return { ...actor, via: "api_key", apiKeyId: row.id, apiKeyScopes: row.scopes };
}
