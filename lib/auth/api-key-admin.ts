import "server-only";
import type { Database } from "@/db/client";
import { getApiKeyById, getApiKeyByPrefix, insertApiKey, listApiKeysForUser, revokeApiKey, type PublicApiKey } from "@/db/queries/api-keys";
import { AppError } from "@/lib/errors";
import { generateApiKey } from "./api-keys";

/** Creates a key for a user. The returned `key` is the only time the secret exists outside the caller. */
export async function createApiKeyForUser(
  db: Database,
  { userId, name }: { userId: string; name: string },
): Promise<{ key: string; apiKey: PublicApiKey }> {
  const { key, prefix, keyHash } = generateApiKey();
  const apiKey = await insertApiKey(db, { userId, name, prefix, keyHash });
  return { key, apiKey };
}

export async function listOwnApiKeys(db: Database, userId: string) {
  return listApiKeysForUser(db, { userId });
}

/** Revokes a key of `ownerId` (or any key when ownerId is undefined, for administrators). */
export async function revokeApiKeyById(db: Database, { id, ownerId }: { id: string; ownerId?: string }) {
  const key = await getApiKeyById(db, { id });
  if (!key || (ownerId && key.userId !== ownerId)) throw new AppError("not_found", "No API key with this id.");
  const revoked = await revokeApiKey(db, { id });
  if (!revoked) throw new AppError("conflict", "This API key is already revoked.");
}

export async function revokeApiKeyByPrefix(db: Database, { prefix }: { prefix: string }) {
  const key = await getApiKeyByPrefix(db, { prefix: prefix.replace(/^kq_/, "").slice(0, 8) });
  if (!key) throw new AppError("not_found", `No API key with the prefix ${prefix}.`);
  if (key.revokedAt) throw new AppError("conflict", `The API key ${prefix} is already revoked.`);
  await revokeApiKey(db, { id: key.id });
  return key;
}
