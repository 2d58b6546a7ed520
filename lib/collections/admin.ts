import "server-only";
import type { z } from "zod";
import type { Database } from "@/db/client";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import type { AuditActor } from "@/lib/audit/types";
import {
  deleteCollectionRow,
  deleteGrant,
  getCollectionById,
  insertCollection,
  listGrants,
  updateCollection,
  updateCollectionPolicy,
  upsertGrant,
} from "@/db/queries/collections";
import { listPublishedVersionIds, listVersionFilesInCollection } from "@/db/queries/documents";
import { insertJob } from "@/db/queries/jobs";
import { INGEST_JOB } from "@/lib/documents/upload";
import { collectionPolicy } from "@/lib/privacy/collection-policy";
import { mergePolicy, type PrivacyPolicyPatch } from "@/lib/privacy/policy";
import { isUniqueViolation } from "@/db/queries/errors";
import type { Role } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { requireGroupByName } from "@/lib/groups/admin";
import { deleteOriginal } from "@/lib/storage/files";
import type { createCollectionSchema, grantSchema, updateCollectionSchema } from "./schemas";

export async function addCollection(db: Database, input: z.infer<typeof createCollectionSchema>, who: AuditActor) {
  try {
    return await db.transaction(async (tx) => {
      const row = await insertCollection(tx, { name: input.name, description: input.description, createdBy: who.id });
      await appendAudit(tx, {
        type: "collection.created",
        ...auditBy(who),
        subject: { collectionId: row.id },
        payload: { via: who.via, name: input.name, description: input.description },
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("conflict", `A collection named "${input.name}" already exists.`, { cause: err });
    throw err;
  }
}

export async function changeCollection(
  db: Database,
  id: string,
  changes: z.infer<typeof updateCollectionSchema>,
  by: AuditActor,
) {
  const before = await getCollectionById(db, { id });
  try {
    await db.transaction(async (tx) => {
      await updateCollection(tx, { id, ...changes });
      await appendAudit(tx, {
        type: "collection.updated",
        ...auditBy(by),
        subject: { collectionId: id },
        payload: { via: by.via, before: { name: before?.name, description: before?.description }, after: changes },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("conflict", `A collection named "${changes.name}" already exists.`, { cause: err });
    throw err;
  }
  return getCollectionById(db, { id });
}

/**
 * Changes a collection's privacy policy. With `recheck`, every current document is queued to go
 * through ingestion again under the new policy (masking or refusing what is already indexed);
 * otherwise the policy applies to uploads from now on. Returns the policy and how many were queued.
 */
export async function changeCollectionPolicy(
  db: Database,
  id: string,
  { patch, recheck, by: who }: { patch: PrivacyPolicyPatch; recheck: boolean; by: AuditActor },
) {
  const collection = await getCollectionById(db, { id });
  if (!collection) throw new AppError("not_found", "No collection with this id.");
  const before = collectionPolicy(collection);
  const next = mergePolicy(before, patch);
  const requeued = await db.transaction(async (tx) => {
    await updateCollectionPolicy(tx, {
      id,
      piiPolicy: next.pii,
      piiPolicyTypes: next.piiTypes,
      injectionPolicy: next.injection,
    });
    let count = 0;
    if (recheck) {
      const versionIds = await listPublishedVersionIds(tx, { collectionId: id });
      for (const versionId of versionIds) {
        // Stays searchable as it is until the job has run; a review decision already taken stands.
        await insertJob(tx, { kind: INGEST_JOB, payload: { versionId }, createdBy: who.id });
      }
      count = versionIds.length;
    }
    await appendAudit(tx, {
      type: "collection.policy_changed",
      ...auditBy(who),
      subject: { collectionId: id },
      payload: { via: who.via, collection: collection.name, before, after: next, recheck, requeued: count },
    });
    return count;
  });
  return { policy: next, requeued };
}

export interface ChunkPurger {
  deleteCollection(collectionId: string): Promise<number>;
  /** Drops removed rows from the index's files at once (lib/vector/indexes.ts eraseRemovedRows). */
  eraseRemoved(): Promise<void>;
}

/**
 * Deletes a collection with its documents, their chunks and stored files. `confirm` must repeat
 * the collection's name: the API and the page both ask for it, so a slip cannot destroy a library.
 */
export async function removeCollection(
  db: Database,
  {
    id,
    confirm,
    dataDir,
    chunks,
    by,
  }: { id: string; confirm: string | null; dataDir: string; chunks: ChunkPurger; by: AuditActor },
) {
  const collection = await getCollectionById(db, { id });
  if (!collection) throw new AppError("not_found", "No collection with this id.");
  if (confirm !== collection.name) {
    throw new AppError(
      "invalid_request",
      `Deleting "${collection.name}" removes its ${collection.documentCount} document(s), their search index and stored files. ` +
        `Confirm by sending the collection's exact name as confirm.`,
      { details: { documentCount: collection.documentCount } },
    );
  }
  const files = await listVersionFilesInCollection(db, { collectionId: id });
  await db.transaction(async (tx) => {
    await deleteCollectionRow(tx, { id });
    await appendAudit(tx, {
      type: "collection.deleted",
      ...auditBy(by),
      subject: { collectionId: id },
      payload: { via: by.via, name: collection.name, documentCount: collection.documentCount },
    });
  });
  // After the rows are gone nothing can reach these; an ingest still running for this
  // collection finds its document missing and removes what it wrote.
  const removedChunks = await chunks.deleteCollection(id);
  if (removedChunks > 0) await chunks.eraseRemoved();
  for (const f of files) if (f.storagePath) await deleteOriginal(dataDir, f.storagePath);
  return {
    name: collection.name,
    removedDocuments: collection.documentCount,
    removedChunks,
    removedFiles: files.filter((f) => f.storagePath).length,
  };
}

export async function addGrant(db: Database, collectionId: string, input: z.infer<typeof grantSchema>, by: AuditActor) {
  const collection = await getCollectionById(db, { id: collectionId });
  if (!collection) throw new AppError("not_found", "No collection with this id.");
  const group = "group" in input ? await requireGroupByName(db, input.group) : null;
  return db.transaction(async (tx) => {
    const before = (await listGrants(tx, { collectionId })).find((g) =>
      group ? g.groupId === group.id : g.role === ("role" in input ? input.role : null),
    );
    const grant = group
      ? await upsertGrant(tx, { collectionId, groupId: group.id, access: input.access })
      : await upsertGrant(tx, { collectionId, role: (input as { role: Role }).role, access: input.access });
    if (!before || before.access !== input.access) {
      await appendAudit(tx, {
        type: before ? "grant.changed" : "grant.added",
        ...auditBy(by),
        subject: { collectionId },
        payload: {
          via: by.via,
          grantId: grant.id,
          collection: collection.name,
          ...(group ? { group: group.name, groupId: group.id } : { role: (input as { role: Role }).role }),
          access: input.access,
          ...(before ? { previousAccess: before.access } : {}),
        },
      });
    }
    return grant;
  });
}

export async function removeGrant(db: Database, collectionId: string, grantId: string, by: AuditActor) {
  const collection = await getCollectionById(db, { id: collectionId });
  const grant = (await listGrants(db, { collectionId })).find((g) => g.id === grantId);
  await db.transaction(async (tx) => {
    if (!grant || !(await deleteGrant(tx, { collectionId, grantId })))
      throw new AppError("not_found", "No such grant on this collection.");
    await appendAudit(tx, {
      type: "grant.removed",
      ...auditBy(by),
      subject: { collectionId },
      payload: {
        via: by.via,
        grantId,
        collection: collection?.name ?? null,
        ...(grant.groupId ? { group: grant.groupName, groupId: grant.groupId } : { role: grant.role }),
        access: grant.access,
      },
    });
  });
}

export async function grantsJson(db: Database, collectionId: string) {
  const grants = await listGrants(db, { collectionId });
  return grants.map((g) => ({
    id: g.id,
    access: g.access,
    ...(g.groupId ? { group: { id: g.groupId, name: g.groupName } } : { role: g.role }),
    createdAt: g.createdAt,
  }));
}
