import "server-only";
import { and, asc, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Executor } from "../client";
import {
  collectionGrants,
  collections,
  groups,
  type AccessLevel,
  type InjectionPolicy,
  type PiiPolicy,
  type Role,
} from "../schema";

export interface CollectionSummary {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  documentCount: number;
  piiPolicy: PiiPolicy;
  piiPolicyTypes: string[];
  injectionPolicy: InjectionPolicy;
}

const summaryColumns = {
  id: collections.id,
  name: collections.name,
  description: collections.description,
  createdAt: collections.createdAt,
  updatedAt: collections.updatedAt,
  piiPolicy: collections.piiPolicy,
  piiPolicyTypes: collections.piiPolicyTypes,
  injectionPolicy: collections.injectionPolicy,
  // Qualified by hand: in a single-table select drizzle leaves column names bare, and a bare
  // "id" inside the subquery would mean the document's own id.
  documentCount: sql<number>`(select count(*)::int from "documents" d where d.collection_id = "collections"."id" and d.status = 'active')`,
};

export async function listCollections(db: Executor): Promise<CollectionSummary[]> {
  return db.select(summaryColumns).from(collections).orderBy(asc(collections.name));
}

export async function getCollectionById(db: Executor, { id }: { id: string }): Promise<CollectionSummary | null> {
  const [row] = await db.select(summaryColumns).from(collections).where(eq(collections.id, id));
  return row ?? null;
}

export async function getCollectionByName(db: Executor, { name }: { name: string }): Promise<CollectionSummary | null> {
  const [row] = await db.select(summaryColumns).from(collections).where(eq(collections.name, name));
  return row ?? null;
}

export async function insertCollection(
  db: Executor,
  input: { name: string; description: string; createdBy: string | null },
) {
  const [row] = await db.insert(collections).values(input).returning({ id: collections.id });
  if (!row) throw new Error("insert into collections returned no row");
  return row;
}

export async function updateCollection(
  db: Executor,
  { id, name, description }: { id: string; name?: string; description?: string },
) {
  await db
    .update(collections)
    .set({
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      updatedAt: new Date(),
    })
    .where(eq(collections.id, id));
}

export async function updateCollectionPolicy(
  db: Executor,
  {
    id,
    piiPolicy,
    piiPolicyTypes,
    injectionPolicy,
  }: { id: string; piiPolicy: PiiPolicy; piiPolicyTypes: string[]; injectionPolicy: InjectionPolicy },
) {
  await db
    .update(collections)
    .set({ piiPolicy, piiPolicyTypes, injectionPolicy, updatedAt: new Date() })
    .where(eq(collections.id, id));
}

export async function deleteCollectionRow(db: Executor, { id }: { id: string }): Promise<boolean> {
  const rows = await db.delete(collections).where(eq(collections.id, id)).returning({ id: collections.id });
  return rows.length > 0;
}

export interface GrantView {
  id: string;
  collectionId: string;
  access: AccessLevel;
  role: Role | null;
  groupId: string | null;
  groupName: string | null;
  createdAt: Date;
}

export async function listGrants(db: Executor, { collectionId }: { collectionId: string }): Promise<GrantView[]> {
  return db
    .select({
      id: collectionGrants.id,
      collectionId: collectionGrants.collectionId,
      access: collectionGrants.access,
      role: collectionGrants.role,
      groupId: collectionGrants.groupId,
      groupName: groups.name,
      createdAt: collectionGrants.createdAt,
    })
    .from(collectionGrants)
    .leftJoin(groups, eq(groups.id, collectionGrants.groupId))
    .where(eq(collectionGrants.collectionId, collectionId))
    .orderBy(asc(collectionGrants.createdAt));
}

/** Adds a grant or changes the access level of the existing grant to the same grantee. */
export async function upsertGrant(
  db: Executor,
  input: { collectionId: string; access: AccessLevel } & (
    { groupId: string; role?: undefined } | { role: Role; groupId?: undefined }
  ),
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const grantee = input.groupId
      ? eq(collectionGrants.groupId, input.groupId)
      : eq(collectionGrants.role, input.role!);
    const [existing] = await tx
      .select({ id: collectionGrants.id })
      .from(collectionGrants)
      .where(and(eq(collectionGrants.collectionId, input.collectionId), grantee))
      .for("update");
    if (existing) {
      await tx.update(collectionGrants).set({ access: input.access }).where(eq(collectionGrants.id, existing.id));
      return existing;
    }
    const [row] = await tx
      .insert(collectionGrants)
      .values({
        collectionId: input.collectionId,
        access: input.access,
        groupId: input.groupId ?? null,
        role: input.role ?? null,
      })
      .returning({ id: collectionGrants.id });
    if (!row) throw new Error("insert into collection_grants returned no row");
    return row;
  });
}

export async function deleteGrant(
  db: Executor,
  { collectionId, grantId }: { collectionId: string; grantId: string },
): Promise<boolean> {
  const rows = await db
    .delete(collectionGrants)
    .where(and(eq(collectionGrants.id, grantId), eq(collectionGrants.collectionId, collectionId)))
    .returning({ id: collectionGrants.id });
  return rows.length > 0;
}

/**
 * The collections a person may read through their roles and groups, with the strongest access
 * level any of their grants gives. Read from the database on every call.
 */
export async function listGrantedCollections(
  db: Executor,
  { roles, groupIds }: { roles: Role[]; groupIds: string[] },
): Promise<(CollectionSummary & { access: AccessLevel })[]> {
  const conditions = [];
  if (roles.length > 0) conditions.push(inArray(collectionGrants.role, roles));
  if (groupIds.length > 0)
    conditions.push(and(isNotNull(collectionGrants.groupId), inArray(collectionGrants.groupId, groupIds)));
  if (conditions.length === 0) return [];
  const rows = await db
    .select({ ...summaryColumns, access: collectionGrants.access })
    .from(collectionGrants)
    .innerJoin(collections, eq(collections.id, collectionGrants.collectionId))
    .where(or(...conditions))
    .orderBy(asc(collections.name));
  const best = new Map<string, CollectionSummary & { access: AccessLevel }>();
  for (const r of rows) {
    const prev = best.get(r.id);
    if (!prev || (prev.access === "read" && r.access === "manage")) best.set(r.id, r);
  }
  return [...best.values()];
}

/** Ids of the collections someone may read or manage through a grant (the home page's first-run steps). */
export async function listCollectionIdsWithGrants(db: Executor): Promise<string[]> {
  const rows = await db.selectDistinct({ id: collectionGrants.collectionId }).from(collectionGrants);
  return rows.map((r) => r.id);
}
