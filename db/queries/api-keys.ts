import "server-only";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, users, type ApiKeyScope } from "../schema";

// The key hash never leaves this module in a listing.
const publicApiKeyColumns = {
  id: apiKeys.id,
  userId: apiKeys.userId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  expiresAt: apiKeys.expiresAt,
  scopes: apiKeys.scopes,
};

export interface PublicApiKey {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  scopes: ApiKeyScope[];
}

export async function insertApiKey(
  db: Executor,
  input: { userId: string; name: string; prefix: string; keyHash: string; expiresAt: Date; scopes: ApiKeyScope[] },
): Promise<PublicApiKey> {
  const [row] = await db.insert(apiKeys).values(input).returning(publicApiKeyColumns);
  if (!row) throw new Error("insert into api_keys returned no row");
  return row;
}

export async function listApiKeysForUser(db: Executor, { userId }: { userId: string }): Promise<PublicApiKey[]> {
  return db
    .select(publicApiKeyColumns)
    .from(apiKeys)
    .where(eq(apiKeys.userId, userId))
    .orderBy(desc(apiKeys.createdAt));
}

export async function getApiKeyById(db: Executor, { id }: { id: string }): Promise<PublicApiKey | null> {
  const [row] = await db.select(publicApiKeyColumns).from(apiKeys).where(eq(apiKeys.id, id));
  return row ?? null;
}

export async function getApiKeyByPrefix(db: Executor, { prefix }: { prefix: string }): Promise<PublicApiKey | null> {
  const [row] = await db.select(publicApiKeyColumns).from(apiKeys).where(eq(apiKeys.prefix, prefix));
  return row ?? null;
}

/** Marks a key revoked; returns false if it did not exist or was already revoked. */
export async function revokeApiKey(db: Executor, { id }: { id: string }): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** The owner of an unrevoked key with this hash, or null. */
export async function findActiveApiKeyByHash(db: Executor, { keyHash }: { keyHash: string }) {
  const [row] = await db
    .select({
      id: apiKeys.id,
      userId: apiKeys.userId,
      lastUsedAt: apiKeys.lastUsedAt,
      createdAt: apiKeys.createdAt,
      expiresAt: apiKeys.expiresAt,
      scopes: apiKeys.scopes,
      disabled: users.disabled,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  return row ?? null;
}

export async function touchApiKey(db: Executor, { id }: { id: string }): Promise<void> {
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id));
}
