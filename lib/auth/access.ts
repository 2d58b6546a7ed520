import "server-only";
import type { Executor } from "@/db/client";
import { getCollectionById, listGrantedCollections, type CollectionSummary } from "@/db/queries/collections";
import { listRestrictions } from "@/db/queries/documents";
import { getUserWithAccess } from "@/db/queries/users";
import type { AccessLevel } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { visibleToReader } from "@/lib/documents/visibility";
import type { Actor } from "./actor";

// Who may read or manage which collection, decided from grants in the database at request
// time. Reading content (search, answers, downloads) needs a read or manage grant, for
// administrators too; administering a collection (documents, grants) needs the admin role or
// a manage grant.

export interface ReadScope {
  collections: (CollectionSummary & { access: AccessLevel })[];
  collectionIds: string[];
  groupIds: string[];
}

/**
 * What these roles and groups may read. A request resolves it once, from the identity it read at
 * its start, and passes it down (docs/adr/0026-service-contract.md); what lets text out at the end
 * checks again with currentReadScope.
 */
export async function resolveReadScope(db: Executor, actor: Pick<Actor, "roles" | "groups">): Promise<ReadScope> {
  const groupIds = actor.groups.map((g) => g.id);
  const collections = await listGrantedCollections(db, { roles: actor.roles, groupIds });
  return { collections, collectionIds: collections.map((c) => c.id), groupIds };
}

/**
 * A user's read scope as the database says now, roles, groups and grants read again; null for an
 * account that is gone or disabled. For the checks that must see a revocation made a moment ago.
 */
export async function currentReadScope(db: Executor, userId: string): Promise<ReadScope | null> {
  const user = await getUserWithAccess(db, { id: userId });
  if (!user || user.disabled) return null;
  return resolveReadScope(db, user);
}

/** read: content; list: see the collection and its documents' metadata; manage: change them. */
export type CollectionPermission = "read" | "list" | "manage";

/**
 * Loads a collection the actor may use at `level`, or throws. A collection the actor may not
 * even read answers 404, so its existence is not revealed.
 */
export async function requireCollection(db: Executor, actor: Actor, collectionId: string, level: CollectionPermission) {
  const collection = await getCollectionById(db, { id: collectionId });
  const notFound = new AppError("not_found", "No collection with this id.");
  if (!collection) throw notFound;
  const scope = await resolveReadScope(db, actor);
  const grant = scope.collections.find((c) => c.id === collectionId);
  const isAdmin = actor.roles.includes("admin");
  if (level === "list") {
    if (!grant && !isAdmin) throw notFound;
  } else if (level === "read") {
    if (!grant)
      throw isAdmin
        ? new AppError("forbidden", "Reading this collection's content needs a grant, also for administrators.")
        : notFound;
  } else if (!isAdmin && grant?.access !== "manage") {
    throw grant ? new AppError("forbidden", "You may read this collection but not manage it.") : notFound;
  }
  return { collection, access: grant?.access ?? null, isAdmin };
}

/**
 * Whether the actor may read a document's content: a read grant on its collection, and, when
 * the document is restricted to groups, membership of one of them.
 */
export async function requireReadableDocument(db: Executor, actor: Actor, doc: { id: string; collectionId: string }) {
  await requireCollection(db, actor, doc.collectionId, "read");
  const restrictedTo = (await listRestrictions(db, { documentIds: [doc.id] })).get(doc.id) ?? [];
  if (visibleToReader([{ restrictedTo }], actor, false).length === 0)
    throw new AppError("not_found", "No document with this id.");
}
