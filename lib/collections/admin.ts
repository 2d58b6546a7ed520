import "server-only";
import type { z } from "zod";
import type { Database } from "@/db/client";
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
import { listCurrentVersionIds, listVersionFilesInCollection } from "@/db/queries/documents";
import { insertJob } from "@/db/queries/jobs";
import { INGEST_JOB } from "@/lib/documents/upload";
import { collectionPolicy } from "@/lib/privacy/collection-policy";
import { mergePolicy, type PrivacyPolicyPatch } from "@/lib/privacy/policy";
import { isUniqueViolation } from "@/db/queries/errors";
import { AppError } from "@/lib/errors";
import { requireGroupByName } from "@/lib/groups/admin";
import { deleteOriginal } from "@/lib/storage/files";
import type { createCollectionSchema, grantSchema, updateCollectionSchema } from "./schemas";

export async function addCollection(db: Database, input: z.infer<typeof createCollectionSchema>, createdBy: string | null) {
  try {
    return await insertCollection(db, { name: input.name, description: input.description, createdBy });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `A collection named "${input.name}" already exists.`, { cause: err });
    throw err;
  }
}

export async function changeCollection(db: Database, id: string, changes: z.infer<typeof updateCollectionSchema>) {
  try {
    await updateCollection(db, { id, ...changes });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", `A collection named "${changes.name}" already exists.`, { cause: err });
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
  { patch, recheck, actorId }: { patch: PrivacyPolicyPatch; recheck: boolean; actorId: string | null },
) {
  const collection = await getCollectionById(db, { id });
  if (!collection) throw new AppError("not_found", "No collection with this id.");
  const next = mergePolicy(collectionPolicy(collection), patch);
  const requeued = await db.transaction(async (tx) => {
    await updateCollectionPolicy(tx, { id, piiPolicy: next.pii, piiPolicyTypes: next.piiTypes, injectionPolicy: next.injection });
    if (!recheck) return 0;
    const versionIds = await listCurrentVersionIds(tx, { collectionId: id });
    for (const versionId of versionIds) {
      // Stays searchable as it is until the job has run; a review decision already taken stands.
      await insertJob(tx, { kind: INGEST_JOB, payload: { versionId }, createdBy: actorId });
    }
    return versionIds.length;
  });
  return { policy: next, requeued };
}

export interface ChunkPurger {
  deleteCollection(collectionId: string): Promise<number>;
}

/**
 * Deletes a collection with its documents, their chunks and stored files. `confirm` must repeat
 * the collection's name: the API and the page both ask for it, so a slip cannot destroy a library.
 */
export async function removeCollection(
  db: Database,
  { id, confirm, dataDir, chunks }: { id: string; confirm: string | null; dataDir: string; chunks: ChunkPurger },
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
  await deleteCollectionRow(db, { id });
  // After the rows are gone nothing can reach these; an ingest still running for this
  // collection finds its document missing and removes what it wrote.
  const removedChunks = await chunks.deleteCollection(id);
  for (const f of files) if (f.storagePath) await deleteOriginal(dataDir, f.storagePath);
  return { name: collection.name, removedDocuments: collection.documentCount, removedChunks, removedFiles: files.filter((f) => f.storagePath).length };
}

export async function addGrant(db: Database, collectionId: string, input: z.infer<typeof grantSchema>) {
  if (!(await getCollectionById(db, { id: collectionId }))) throw new AppError("not_found", "No collection with this id.");
  if ("group" in input) {
    const group = await requireGroupByName(db, input.group);
    return upsertGrant(db, { collectionId, groupId: group.id, access: input.access });
  }
  return upsertGrant(db, { collectionId, role: input.role, access: input.access });
}

export async function removeGrant(db: Database, collectionId: string, grantId: string) {
  if (!(await deleteGrant(db, { collectionId, grantId }))) throw new AppError("not_found", "No such grant on this collection.");
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
