import "server-only";
import type { Database } from "@/db/client";
import { getUserById } from "@/db/queries/users";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import type { AuditActor } from "@/lib/audit/types";
import {
  getApiKeyById,
  getApiKeyByPrefix,
  insertApiKey,
  listApiKeysForUser,
  revokeApiKey,
  type PublicApiKey,
} from "@/db/queries/api-keys";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { API_KEY_SCOPES, effectiveKeyExpiry, newKeyExpiry, type ApiKeyScope } from "./api-key-policy";
import { principalHasRole, principalOf, type ServiceContext } from "@/lib/service/context";
import { generateApiKey } from "./api-keys";

// Only a person creates keys: a signed-in browser session for themselves, or the operator at
// the command line. A key that could mint keys would let a leaked key outlive its revocation.
const MAY_CREATE_KEYS: ReadonlySet<AuditActor["via"]> = new Set(["session", "cli"]);

/**
 * Creates a key for a user, expiring after `expiresInDays` (the server maximum, API_KEY_MAX_DAYS,
 * when not given) and limited to `scopes` (all of them when not given). The returned `key` is the
 * only time the secret exists outside the caller.
 */
export async function createApiKeyForUser(
  ctx: ServiceContext,
  {
    userId,
    name,
    expiresInDays,
    scopes = [...API_KEY_SCOPES],
  }: { userId: string; name: string; expiresInDays?: number; scopes?: ApiKeyScope[] },
): Promise<{ key: string; apiKey: PublicApiKey }> {
  const { actor: by, db } = ctx;
  if (!MAY_CREATE_KEYS.has(by.via)) {
    throw new AppError(
      "forbidden",
      "An API key cannot create API keys. Sign in with a browser and create the key on the Profile page.",
    );
  }
  // A person makes keys for themselves; only the operator at the command line makes one for someone else.
  const principal = await principalOf(ctx);
  if (principal.kind === "user" && principal.user.id !== userId) {
    throw new AppError("forbidden", "You can create API keys only for yourself.");
  }
  const expiresAt = newKeyExpiry(expiresInDays, env().API_KEY_MAX_DAYS);
  if (scopes.length === 0) throw new AppError("invalid_request", "Choose at least one scope for the key.");
  const { key, prefix, keyHash } = generateApiKey();
  const owner = await getUserById(db, { id: userId });
  const apiKey = await db.transaction(async (tx) => {
    const row = await insertApiKey(tx, { userId, name, prefix, keyHash, expiresAt, scopes });
    await appendAudit(tx, {
      type: "apikey.created",
      ...auditBy(by),
      subject: { userId },
      payload: {
        via: by.via,
        keyId: row.id,
        prefix,
        name,
        ownerEmail: owner?.email ?? null,
        expiresAt: expiresAt.toISOString(),
        scopes,
      },
    });
    return row;
  });
  return { key, apiKey };
}

/** A user's keys, each with the time it really stops working (its own expiry or the server maximum). */
export async function listOwnApiKeys(
  db: Database,
  userId: string,
): Promise<(PublicApiKey & { expiresAt: Date; expired: boolean })[]> {
  const maxDays = env().API_KEY_MAX_DAYS;
  const now = Date.now();
  const keys = await listApiKeysForUser(db, { userId });
  return keys.map((key) => {
    const expiresAt = effectiveKeyExpiry(key, maxDays);
    return { ...key, expiresAt, expired: expiresAt.getTime() <= now };
  });
}

/** Revokes a key of `ownerId` (or any key when ownerId is undefined, for administrators). */
async function revokeAudited(db: Database, key: PublicApiKey, by: AuditActor): Promise<boolean> {
  return db.transaction(async (tx) => {
    const revoked = await revokeApiKey(tx, { id: key.id });
    if (revoked) {
      await appendAudit(tx, {
        type: "apikey.revoked",
        ...auditBy(by),
        subject: { userId: key.userId },
        payload: { via: by.via, keyId: key.id, prefix: key.prefix, name: key.name },
      });
    }
    return revoked;
  });
}

/** Revokes one of the actor's own keys (the system may revoke any); someone else's key answers 404. */
export async function revokeApiKeyById(ctx: ServiceContext, { id }: { id: string }) {
  const { actor: by, db } = ctx;
  const principal = await principalOf(ctx);
  const key = await getApiKeyById(db, { id });
  if (!key || (principal.kind === "user" && key.userId !== principal.user.id))
    throw new AppError("not_found", "No API key with this id.");
  if (!(await revokeAudited(db, key, by))) throw new AppError("conflict", "This API key is already revoked.");
}

/** Revokes any key by its prefix: administrators and the operator. */
export async function revokeApiKeyByPrefix(ctx: ServiceContext, { prefix }: { prefix: string }) {
  const { actor: by, db } = ctx;
  if (!principalHasRole(await principalOf(ctx), "admin"))
    throw new AppError("forbidden", "Only administrators may revoke someone else's API key.");
  const key = await getApiKeyByPrefix(db, { prefix: prefix.replace(/^kq_/, "").slice(0, 8) });
  if (!key) throw new AppError("not_found", `No API key with the prefix ${prefix}.`);
  if (key.revokedAt || !(await revokeAudited(db, key, by)))
    throw new AppError("conflict", `The API key ${prefix} is already revoked.`);
  return key;
}
