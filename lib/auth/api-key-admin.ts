import "server-only";
import type { Database } from "@/db/client";
import { getUserById } from "@/db/queries/users";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { SYSTEM_ACTOR, type AuditActor } from "@/lib/audit/types";
import {
  getApiKeyById,
  getApiKeyByPrefix,
  insertApiKey,
  listApiKeysForUser,
  revokeApiKey,
  type PublicApiKey,
} from "@/db/queries/api-keys";
import { AppError } from "@/lib/errors";
import { generateApiKey } from "./api-keys";

/** Creates a key for a user. The returned `key` is the only time the secret exists outside the caller. */
export async function createApiKeyForUser(
  db: Database,
  { userId, name }: { userId: string; name: string },
  by: AuditActor = SYSTEM_ACTOR,
): Promise<{ key: string; apiKey: PublicApiKey }> {
  const { key, prefix, keyHash } = generateApiKey();
  const owner = await getUserById(db, { id: userId });
  const apiKey = await db.transaction(async (tx) => {
    const row = await insertApiKey(tx, { userId, name, prefix, keyHash });
    await appendAudit(tx, {
      type: "apikey.created",
      ...auditBy(by),
      subject: { userId },
      payload: { via: by.via, keyId: row.id, prefix, name, ownerEmail: owner?.email ?? null },
    });
    return row;
  });
  return { key, apiKey };
}

export async function listOwnApiKeys(db: Database, userId: string) {
  return listApiKeysForUser(db, { userId });
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

export async function revokeApiKeyById(
  db: Database,
  { id, ownerId }: { id: string; ownerId?: string },
  by: AuditActor = SYSTEM_ACTOR,
) {
  const key = await getApiKeyById(db, { id });
  if (!key || (ownerId && key.userId !== ownerId)) throw new AppError("not_found", "No API key with this id.");
  if (!(await revokeAudited(db, key, by))) throw new AppError("conflict", "This API key is already revoked.");
}

export async function revokeApiKeyByPrefix(
  db: Database,
  { prefix }: { prefix: string },
  by: AuditActor = SYSTEM_ACTOR,
) {
  const key = await getApiKeyByPrefix(db, { prefix: prefix.replace(/^kq_/, "").slice(0, 8) });
  if (!key) throw new AppError("not_found", `No API key with the prefix ${prefix}.`);
  if (key.revokedAt || !(await revokeAudited(db, key, by)))
    throw new AppError("conflict", `The API key ${prefix} is already revoked.`);
  return key;
}
