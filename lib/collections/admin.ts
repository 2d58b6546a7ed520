import "server-only";
import type { z } from "zod";
import type { Executor } from "@/db/client";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
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
import { requireCollectionNow, requireRoleNow, type ServiceContext } from "@/lib/service/context";
import { deleteOriginal } from "@/lib/storage/files";
import type { createCollectionSchema, grantSchema, updateCollectionSchema } from "./schemas";

// Creating, renaming and deleting collections and granting access are for administrators; a
// collection's privacy policy also for those who manage it. Each verb checks that itself.

type NewCollection = Omit<z.infer<typeof createCollectionSchema>, "readers"> & {
  readers?: z.infer<typeof createCollectionSchema>["readers"];
};

export async function addCollection({ actor: who, db }: ServiceContext, input: NewCollection) {
  await requireRoleNow({ actor: who, db }, "admin", "create collections");
  // Groups are looked up first: an unknown one is refused before anything is written.
  const readers = await Promise.all(
    (input.readers ?? []).map(async (r) =>
      "group" in r
        ? { kind: "group" as const, group: await requireGroupByName(db, r.group) }
        : { kind: "role" as const, role: r.role },
    ),
  );
  try {
    return await db.transaction(async (tx) => {
      const row = await insertCollection(tx, { name: input.name, description: input.description, createdBy: who.id });
      await appendAudit(tx, {
        type: "collection.created",
        ...auditBy(who),
        subject: { collectionId: row.id },
        payload: { via: who.via, name: input.name, description: input.description },
      });
      for (const reader of readers) {
        const grant =
          reader.kind === "group"
            ? await upsertGrant(tx, { collectionId: row.id, groupId: reader.group.id, access: "read" })
            : await upsertGrant(tx, { collectionId: row.id, role: reader.role, access: "read" });
        await appendAudit(tx, {
          type: "grant.added",
          ...auditBy(who),
          subject: { collectionId: row.id },
          payload: {
            via: who.via,
            grantId: grant.id,
            collection: input.name,
            ...(reader.kind === "group"
              ? { group: reader.group.name, groupId: reader.group.id }
              : { role: reader.role }),
            access: "read",
          },
        });
      }
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("conflict", `A collection named "${input.name}" already exists.`, { cause: err });
    throw err;
  }
}

export async function changeCollection(
  ctx: ServiceContext,
  id: string,
  changes: z.infer<typeof updateCollectionSchema>,
) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "rename a collection or change its description");
  const { collection: before } = await requireCollectionNow(ctx, id, "manage");
  try {
    await db.transaction(async (tx) => {
      await updateCollection(tx, { id, ...changes });
      await appendAudit(tx, {
        type: "collection.updated",
        ...auditBy(by),
        subject: { collectionId: id },
        payload: { via: by.via, before: { name: before.name, description: before.description }, after: changes },
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
  ctx: ServiceContext,
  id: string,
  { patch, recheck }: { patch: PrivacyPolicyPatch; recheck: boolean },
) {
  const { actor: who, db } = ctx;
  const { collection } = await requireCollectionNow(ctx, id, "manage");
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
  ctx: ServiceContext,
  { id, confirm, dataDir, chunks }: { id: string; confirm: string | null; dataDir: string; chunks: ChunkPurger },
) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "delete collections");
  const { collection } = await requireCollectionNow(ctx, id, "manage");
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

export async function addGrant(ctx: ServiceContext, collectionId: string, input: z.infer<typeof grantSchema>) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "grant access to collections");
  const { collection } = await requireCollectionNow(ctx, collectionId, "manage");
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

export async function removeGrant(ctx: ServiceContext, collectionId: string, grantId: string) {
  const { actor: by, db } = ctx;
  await requireRoleNow(ctx, "admin", "remove access to collections");
  const { collection } = await requireCollectionNow(ctx, collectionId, "manage");
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
        collection: collection.name,
        ...(grant.groupId ? { group: grant.groupName, groupId: grant.groupId } : { role: grant.role }),
        access: grant.access,
      },
    });
  });
}

export async function grantsJson(db: Executor, collectionId: string) {
  const grants = await listGrants(db, { collectionId });
  return grants.map((g) => ({
    id: g.id,
    access: g.access,
    ...(g.groupId ? { group: { id: g.groupId, name: g.groupName } } : { role: g.role }),
    createdAt: g.createdAt,
  }));
}
