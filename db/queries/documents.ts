import "server-only";
import { and, asc, desc, eq, inArray, max, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Executor } from "../client";
import { documentRestrictions, documentVersions, documents, groups, users, type VersionStatus } from "../schema";

const reviewers = alias(users, "reviewers");

export async function lockDocumentName(db: Executor, { collectionId, name }: { collectionId: string; name: string }) {
  // Serialises uploads of the same name into the same collection (two at once must not both
  // create a document); a transaction-scoped lock, released at commit on either driver.
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${collectionId}/${name}`}, 0))`);
}

export async function getActiveDocumentByName(
  db: Executor,
  { collectionId, name }: { collectionId: string; name: string },
) {
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.collectionId, collectionId), eq(documents.name, name), eq(documents.status, "active")));
  return row ?? null;
}

export async function getDocumentById(db: Executor, { id }: { id: string }) {
  const [row] = await db.select().from(documents).where(eq(documents.id, id));
  return row ?? null;
}

/** A live (not deleted, not failed) version with this content anywhere in the collection. */
export async function findVersionWithContent(
  db: Executor,
  { collectionId, sha256 }: { collectionId: string; sha256: string },
) {
  const [row] = await db
    .select({
      documentId: documents.id,
      versionId: documentVersions.id,
      status: documentVersions.status,
      name: documents.name,
    })
    .from(documentVersions)
    .innerJoin(documents, eq(documents.id, documentVersions.documentId))
    .where(
      and(
        eq(documents.collectionId, collectionId),
        eq(documents.status, "active"),
        eq(documentVersions.sha256, sha256),
        inArray(documentVersions.status, ["queued", "processing", "ready", "quarantined"]),
      ),
    )
    .limit(1);
  return row ?? null;
}

export async function insertDocument(
  db: Executor,
  input: { collectionId: string; name: string; createdBy: string | null },
) {
  const [row] = await db.insert(documents).values(input).returning();
  if (!row) throw new Error("insert into documents returned no row");
  return row;
}

export async function nextVersionNumber(db: Executor, { documentId }: { documentId: string }): Promise<number> {
  const [row] = await db
    .select({ n: max(documentVersions.versionNumber) })
    .from(documentVersions)
    .where(eq(documentVersions.documentId, documentId));
  return (row?.n ?? 0) + 1;
}

export async function insertVersion(
  db: Executor,
  input: {
    id: string;
    documentId: string;
    versionNumber: number;
    sha256: string;
    sizeBytes: number;
    originalName: string;
    uploadedBy: string | null;
    storagePath: string;
    dataKey: string | null;
    /** Default: now. */
    effectiveFrom?: Date;
  },
) {
  const [row] = await db.insert(documentVersions).values(input).returning();
  if (!row) throw new Error("insert into document_versions returned no row");
  return row;
}

export async function getVersionById(db: Executor, { id }: { id: string }) {
  const [row] = await db.select().from(documentVersions).where(eq(documentVersions.id, id));
  return row ?? null;
}

export async function updateVersion(
  db: Executor,
  { id, ...values }: { id: string } & Partial<Omit<typeof documentVersions.$inferInsert, "id" | "documentId">>,
) {
  await db.update(documentVersions).set(values).where(eq(documentVersions.id, id));
}

export async function setCurrentVersion(
  db: Executor,
  { documentId, versionId }: { documentId: string; versionId: string },
) {
  await db
    .update(documents)
    .set({ currentVersionId: versionId, updatedAt: new Date() })
    .where(eq(documents.id, documentId));
}

/**
 * Makes `latestId` the document's ready version and every other published one superseded
 * (effective intervals decide what is in force; the status says which is the newest). Returns
 * the ids that became superseded.
 */
export async function settleVersionStatuses(
  db: Executor,
  { documentId, latestId }: { documentId: string; latestId: string },
) {
  await db
    .update(documentVersions)
    .set({ status: "ready" })
    .where(and(eq(documentVersions.id, latestId), eq(documentVersions.documentId, documentId)));
  const rows = await db
    .update(documentVersions)
    .set({ status: "superseded" })
    .where(
      and(
        eq(documentVersions.documentId, documentId),
        ne(documentVersions.id, latestId),
        eq(documentVersions.status, "ready"),
      ),
    )
    .returning({ id: documentVersions.id });
  return rows.map((r) => r.id);
}

/** What effective intervals are computed from, for every version of these documents. */
export async function listVersionTimes(db: Executor, { documentIds }: { documentIds: string[] }) {
  if (documentIds.length === 0) return [];
  return db
    .select({
      id: documentVersions.id,
      documentId: documentVersions.documentId,
      versionNumber: documentVersions.versionNumber,
      status: documentVersions.status,
      effectiveFrom: documentVersions.effectiveFrom,
      effectiveUntil: documentVersions.effectiveUntil,
    })
    .from(documentVersions)
    .where(inArray(documentVersions.documentId, documentIds));
}

export async function listVersions(db: Executor, { documentId }: { documentId: string }) {
  return db
    .select({
      id: documentVersions.id,
      versionNumber: documentVersions.versionNumber,
      status: documentVersions.status,
      sha256: documentVersions.sha256,
      sizeBytes: documentVersions.sizeBytes,
      originalName: documentVersions.originalName,
      format: documentVersions.format,
      pageCount: documentVersions.pageCount,
      chunkCount: documentVersions.chunkCount,
      title: documentVersions.title,
      warnings: documentVersions.warnings,
      errorCode: documentVersions.errorCode,
      error: documentVersions.error,
      createdAt: documentVersions.createdAt,
      processedAt: documentVersions.processedAt,
      effectiveFrom: documentVersions.effectiveFrom,
      effectiveUntil: documentVersions.effectiveUntil,
    })
    .from(documentVersions)
    .where(eq(documentVersions.documentId, documentId))
    .orderBy(desc(documentVersions.versionNumber));
}

export interface DocumentListing {
  id: string;
  name: string;
  status: "active" | "deleted";
  createdAt: Date;
  updatedAt: Date;
  latest: {
    id: string;
    versionNumber: number;
    status: VersionStatus;
    sizeBytes: number;
    format: string | null;
    title: string | null;
    pageCount: number | null;
    chunkCount: number | null;
    errorCode: string | null;
    error: string | null;
    warnings: string[];
    piiTypes: string[];
    scan: unknown;
    ocr: unknown;
    review: { decision: string; note: string | null; at: Date | null; by: string | null } | null;
    createdAt: Date;
    processedAt: Date | null;
    uploadedBy: { id: string; email: string; name: string } | null;
  } | null;
  currentVersionId: string | null;
  restrictedTo: { id: string; name: string }[];
  /** Every version's number, status and effective dates, for computing intervals (lib/documents/effective). */
  versionTimes: {
    id: string;
    versionNumber: number;
    status: VersionStatus;
    effectiveFrom: Date;
    effectiveUntil: Date | null;
  }[];
}

/**
 * Active documents of a collection, each with its newest version (`latest`) and its restrictions.
 * With `latestId`, `latest` is the version that function picks instead (a reader's view: the
 * version in effect now), and documents for which it picks none are left out.
 */
export async function listDocuments(
  db: Executor,
  {
    collectionId,
    latestId,
  }: { collectionId: string; latestId?: (versions: DocumentListing["versionTimes"]) => string | null },
): Promise<DocumentListing[]> {
  const docs = await db
    .select()
    .from(documents)
    .where(and(eq(documents.collectionId, collectionId), eq(documents.status, "active")))
    .orderBy(asc(documents.name));
  if (docs.length === 0) return [];
  const ids = docs.map((d) => d.id);
  const versions = await db
    .select({
      v: documentVersions,
      uploader: { id: users.id, email: users.email, name: users.name },
      reviewer: reviewers.name,
    })
    .from(documentVersions)
    .leftJoin(users, eq(users.id, documentVersions.uploadedBy))
    .leftJoin(reviewers, eq(reviewers.id, documentVersions.reviewedBy))
    .where(inArray(documentVersions.documentId, ids))
    .orderBy(desc(documentVersions.versionNumber));
  const restrictions = await listRestrictions(db, { documentIds: ids });
  const out: DocumentListing[] = [];
  for (const d of docs) {
    const mine = versions.filter((x) => x.v.documentId === d.id);
    const versionTimes = mine.map(({ v }) => ({
      id: v.id,
      versionNumber: v.versionNumber,
      status: v.status,
      effectiveFrom: v.effectiveFrom,
      effectiveUntil: v.effectiveUntil,
    }));
    const pick = latestId ? latestId(versionTimes) : undefined;
    if (pick === null) continue;
    const latest = pick === undefined ? mine[0] : mine.find((x) => x.v.id === pick);
    out.push({
      versionTimes,
      id: d.id,
      name: d.name,
      status: d.status,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      currentVersionId: d.currentVersionId,
      restrictedTo: restrictions.get(d.id) ?? [],
      latest: latest
        ? {
            id: latest.v.id,
            versionNumber: latest.v.versionNumber,
            status: latest.v.status,
            sizeBytes: latest.v.sizeBytes,
            format: latest.v.format,
            title: latest.v.title,
            pageCount: latest.v.pageCount,
            chunkCount: latest.v.chunkCount,
            errorCode: latest.v.errorCode,
            error: latest.v.error,
            warnings: latest.v.warnings,
            piiTypes: latest.v.piiTypes,
            scan: latest.v.scan,
            ocr: latest.v.ocr,
            review: latest.v.reviewDecision
              ? {
                  decision: latest.v.reviewDecision,
                  note: latest.v.reviewNote,
                  at: latest.v.reviewedAt,
                  by: latest.reviewer ?? null,
                }
              : null,
            createdAt: latest.v.createdAt,
            processedAt: latest.v.processedAt,
            uploadedBy: latest.uploader?.id ? latest.uploader : null,
          }
        : null,
    });
  }
  return out;
}

export async function listRestrictions(db: Executor, { documentIds }: { documentIds: string[] }) {
  const out = new Map<string, { id: string; name: string }[]>();
  if (documentIds.length === 0) return out;
  const rows = await db
    .select({ documentId: documentRestrictions.documentId, id: groups.id, name: groups.name })
    .from(documentRestrictions)
    .innerJoin(groups, eq(groups.id, documentRestrictions.groupId))
    .where(inArray(documentRestrictions.documentId, documentIds))
    .orderBy(asc(groups.name));
  for (const r of rows) out.set(r.documentId, [...(out.get(r.documentId) ?? []), { id: r.id, name: r.name }]);
  return out;
}

export async function replaceRestrictions(
  db: Executor,
  { documentId, groupIds }: { documentId: string; groupIds: string[] },
) {
  await db.delete(documentRestrictions).where(eq(documentRestrictions.documentId, documentId));
  if (groupIds.length > 0)
    await db.insert(documentRestrictions).values(groupIds.map((groupId) => ({ documentId, groupId })));
}

export async function markDocumentDeleted(
  db: Executor,
  { documentId, deletedBy }: { documentId: string; deletedBy: string | null },
) {
  await db
    .update(documents)
    .set({ status: "deleted", deletedAt: new Date(), deletedBy, currentVersionId: null, updatedAt: new Date() })
    .where(eq(documents.id, documentId));
  await db.delete(documentRestrictions).where(eq(documentRestrictions.documentId, documentId));
  // The tombstone keeps names, sizes and hashes; the content goes.
  return db
    .update(documentVersions)
    .set({ status: "deleted", text: null, storagePath: null })
    .where(eq(documentVersions.documentId, documentId))
    .returning({ id: documentVersions.id });
}

/**
 * Published versions (older ones too: they answer "as of" questions) of a collection's active
 * documents that still have their original: what a policy change re-checks.
 */
export async function listPublishedVersionIds(
  db: Executor,
  { collectionId }: { collectionId: string },
): Promise<string[]> {
  const rows = await db
    .select({ id: documentVersions.id })
    .from(documents)
    .innerJoin(documentVersions, eq(documentVersions.documentId, documents.id))
    .where(
      and(
        eq(documents.collectionId, collectionId),
        eq(documents.status, "active"),
        inArray(documentVersions.status, ["ready", "superseded"]),
        sql`${documentVersions.storagePath} is not null`,
      ),
    )
    .orderBy(asc(documentVersions.versionNumber));
  return rows.map((r) => r.id);
}

export async function clearCurrentVersionIf(
  db: Executor,
  { documentId, versionId }: { documentId: string; versionId: string },
) {
  await db
    .update(documents)
    .set({ currentVersionId: null, updatedAt: new Date() })
    .where(and(eq(documents.id, documentId), eq(documents.currentVersionId, versionId)));
}

export async function listVersionFilesInCollection(db: Executor, { collectionId }: { collectionId: string }) {
  return db
    .select({ versionId: documentVersions.id, storagePath: documentVersions.storagePath })
    .from(documentVersions)
    .innerJoin(documents, eq(documents.id, documentVersions.documentId))
    .where(eq(documents.collectionId, collectionId));
}

/**
 * What answering needs to know about retrieved versions, from the source of truth: the version's
 * number and file hash, and whether it is still its live document's current version.
 */
export async function getRetrievedVersions(db: Executor, { versionIds }: { versionIds: string[] }) {
  if (versionIds.length === 0) return [];
  return db
    .select({
      versionId: documentVersions.id,
      versionNumber: documentVersions.versionNumber,
      versionStatus: documentVersions.status,
      sha256: documentVersions.sha256,
      documentId: documents.id,
      collectionId: documents.collectionId,
      documentStatus: documents.status,
      currentVersionId: documents.currentVersionId,
    })
    .from(documentVersions)
    .innerJoin(documents, eq(documents.id, documentVersions.documentId))
    .where(inArray(documentVersions.id, versionIds));
}
