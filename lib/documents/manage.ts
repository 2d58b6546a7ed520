import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  getDocumentById,
  listRestrictions,
  listVersions,
  markDocumentDeleted,
  replaceRestrictions,
} from "@/db/queries/documents";
import { getGroupByName } from "@/db/queries/groups";
import { documents, documentVersions } from "@/db/schema";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { userMayReadDocument } from "@/lib/access/documents";
import { restrictionSchema } from "@/lib/collections/schemas";
import { AppError, fromZodError } from "@/lib/errors";
import { requireCollectionNow, type ServiceContext } from "@/lib/service/context";
import { deleteOriginal } from "@/lib/storage/files";
import { effectState, versionIntervals } from "./effective";

/** What document management needs from the search index. */
export interface ChunkIndex {
  setDocumentRestriction(documentId: string, groupIds: string[]): Promise<void>;
  deleteDocument(documentId: string): Promise<number>;
  /** Drops removed rows from the index's files at once (lib/vector/indexes.ts eraseRemovedRows). */
  eraseRemoved(): Promise<void>;
}

export async function requireActiveDocument(db: Database, id: string) {
  const doc = await getDocumentById(db, { id });
  if (!doc || doc.status !== "active") throw new AppError("not_found", "No document with this id.");
  return doc;
}

/** Locks the document row for the rest of the transaction; ingestion takes the same lock to publish. */
export async function lockDocument(tx: Parameters<Parameters<Database["transaction"]>[0]>[0], documentId: string) {
  const [row] = await tx
    .select({ id: documents.id, status: documents.status })
    .from(documents)
    .where(eq(documents.id, documentId))
    .for("update");
  return row ?? null;
}

/** The document, if the actor may manage its collection now (the collection comes from the row, never the caller). */
async function requireManagedDocument(ctx: ServiceContext, documentId: string) {
  const doc = await requireActiveDocument(ctx.db, documentId);
  const { principal } = await requireCollectionNow(ctx, doc.collectionId, "manage");
  return { doc, principal };
}

/**
 * Restricts a document to some groups of its collection (none: everyone who may read the
 * collection); for those who manage its collection. The index is updated while the document row
 * is locked, so an ingest finishing at the same moment cannot publish chunks with the old restriction.
 * `restrictedTo` (group names) is checked after the right to change it: a caller who may not
 * learns nothing from a malformed list.
 */
export async function restrictDocument(
  ctx: ServiceContext,
  index: ChunkIndex,
  { documentId, restrictedTo }: { documentId: string; restrictedTo: unknown },
) {
  const { actor: by, db } = ctx;
  const { principal } = await requireManagedDocument(ctx, documentId);
  const parsed = restrictionSchema.safeParse({ restrictedTo });
  if (!parsed.success) throw fromZodError(parsed.error, "request body");
  const groupNames = parsed.data.restrictedTo;
  const groupIds: string[] = [];
  const unknown: string[] = [];
  for (const name of groupNames) {
    const g = await getGroupByName(db, { name });
    if (g) groupIds.push(g.id);
    else unknown.push(name);
  }
  if (unknown.length > 0)
    throw new AppError("invalid_request", `No group named ${unknown.map((n) => `"${n}"`).join(", ")}.`);
  await db.transaction(async (tx) => {
    const row = await lockDocument(tx, documentId);
    if (!row || row.status !== "active") throw new AppError("not_found", "No document with this id.");
    const before = (await listRestrictions(tx, { documentIds: [documentId] })).get(documentId) ?? [];
    const doc = await getDocumentById(tx, { id: documentId });
    // Changing a restriction could open the document to others; only someone who may read it
    // as it stands may do that, so a manager outside its groups cannot lift it (the CLI can).
    if (
      before.length > 0 &&
      principal.kind === "user" &&
      !(await userMayReadDocument(tx, principal.user.id, {
        collectionId: doc?.collectionId ?? "",
        restrictedTo: before,
      }))
    ) {
      throw new AppError(
        "forbidden",
        "This document is restricted to groups you are not in; only someone who may read it can change its restriction.",
      );
    }
    await replaceRestrictions(tx, { documentId, groupIds });
    await index.setDocumentRestriction(documentId, groupIds);
    await appendAudit(tx, {
      type: "document.restricted",
      ...auditBy(by),
      subject: { documentId, collectionId: doc?.collectionId },
      payload: {
        via: by.via,
        name: doc?.name ?? null,
        before,
        restrictedTo: groupIds.map((id, i) => ({ id, name: groupNames[i] ?? null })),
      },
    });
  });
  return (await listRestrictions(db, { documentIds: [documentId] })).get(documentId) ?? [];
}

/**
 * Deletes a document, for those who manage its collection: its chunks and stored files go; a
 * tombstone with names and hashes stays.
 */
export async function deleteDocument(
  ctx: ServiceContext,
  index: ChunkIndex,
  { documentId, dataDir }: { documentId: string; dataDir: string },
) {
  const { actor: who, db } = ctx;
  const { doc } = await requireManagedDocument(ctx, documentId);
  const files = await db
    .select({ storagePath: documentVersions.storagePath })
    .from(documentVersions)
    .where(eq(documentVersions.documentId, documentId));
  await db.transaction(async (tx) => {
    const row = await lockDocument(tx, documentId);
    if (!row || row.status !== "active") throw new AppError("not_found", "No document with this id.");
    const versions = await markDocumentDeleted(tx, { documentId, deletedBy: who.id });
    const doc = await getDocumentById(tx, { id: documentId });
    await appendAudit(tx, {
      type: "document.deleted",
      ...auditBy(who),
      subject: { documentId, collectionId: doc?.collectionId },
      payload: { via: who.via, name: doc?.name ?? null, versionIds: versions.map((v) => v.id) },
    });
  });
  // Done means gone from disk: the index's old versions and the (encrypted) originals both.
  const removedChunks = await index.deleteDocument(documentId);
  if (removedChunks > 0) await index.eraseRemoved();
  for (const f of files) if (f.storagePath) await deleteOriginal(dataDir, f.storagePath);
  return { removedChunks, name: doc.name, collectionId: doc.collectionId };
}

export async function documentDetail(db: Database, documentId: string) {
  const doc = await getDocumentById(db, { id: documentId });
  if (!doc) throw new AppError("not_found", "No document with this id.");
  const [versions, restrictions] = await Promise.all([
    listVersions(db, { documentId }),
    listRestrictions(db, { documentIds: [documentId] }),
  ]);
  const intervals = versionIntervals(versions);
  const now = new Date();
  return {
    id: doc.id,
    collectionId: doc.collectionId,
    name: doc.name,
    status: doc.status,
    currentVersionId: doc.currentVersionId,
    createdAt: doc.createdAt,
    deletedAt: doc.deletedAt,
    restrictedTo: restrictions.get(documentId) ?? [],
    versions: versions.map(({ effectiveUntil, ...v }) => {
      const interval = intervals.get(v.id) ?? null;
      return {
        ...v,
        /** The explicit end, if the version was withdrawn. */
        withdrawnAt: effectiveUntil,
        interval,
        state: effectState(interval, now),
      };
    }),
  };
}
