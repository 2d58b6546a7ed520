import "server-only";
import { desc, eq, gte, or, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { queryRows } from "../client";
import {
  apiKeys,
  auditEvents,
  collections,
  DOCUMENT_STATUSES,
  documents,
  documentVersions,
  jobs,
  users,
  type JobStatus,
  type VersionStatus,
} from "../schema";

type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

// Figures for the administrators' overview page: counts across entities and the recent jobs.
// Each is one grouped query; none reads document text.

export async function countUsersByState(db: Executor, { activeSince }: { activeSince: Date }) {
  const recentKeyUse = db.select({ userId: apiKeys.userId }).from(apiKeys).where(gte(apiKeys.lastUsedAt, activeSince));
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      disabled: sql<number>`count(*) filter (where ${users.disabled})::int`,
      active: sql<number>`count(*) filter (where not ${users.disabled} and (${or(gte(users.lastLoginAt, activeSince), sql`${users.id} in (${recentKeyUse})`)}))::int`,
    })
    .from(users);
  return { total: row?.total ?? 0, disabled: row?.disabled ?? 0, active: row?.active ?? 0 };
}

export async function countCollections(db: Executor): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(collections);
  return row?.n ?? 0;
}

export async function countDocumentsByStatus(db: Executor): Promise<{ status: DocumentStatus; count: number }[]> {
  return db
    .select({ status: documents.status, count: sql<number>`count(*)::int` })
    .from(documents)
    .groupBy(documents.status);
}

export async function countVersionsByStatus(db: Executor): Promise<{ status: VersionStatus; count: number }[]> {
  return db
    .select({ status: documentVersions.status, count: sql<number>`count(*)::int` })
    .from(documentVersions)
    .groupBy(documentVersions.status);
}

/** Bytes the connected database takes on disk, as the server reports it. */
export async function databaseSize(db: Executor): Promise<number> {
  const [row] = await queryRows<{ bytes: string | number }>(
    db,
    sql`select pg_database_size(current_database()) as bytes`,
  );
  return Number(row?.bytes ?? 0);
}

export interface RecentJob {
  id: string;
  kind: string;
  status: JobStatus;
  progress: number;
  message: string | null;
  error: string | null;
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  documentId: string | null;
  documentName: string | null;
  collectionId: string | null;
  collectionName: string | null;
}

/** The newest jobs (or the newest failed ones), with the document they ingest when there is one. */
export async function listRecentJobs(
  db: Executor,
  { limit, status }: { limit: number; status?: JobStatus },
): Promise<RecentJob[]> {
  return (
    db
      .select({
        id: jobs.id,
        kind: jobs.kind,
        status: jobs.status,
        progress: jobs.progress,
        message: jobs.message,
        error: jobs.error,
        attempts: jobs.attempts,
        maxAttempts: jobs.maxAttempts,
        createdAt: jobs.createdAt,
        startedAt: jobs.startedAt,
        finishedAt: jobs.finishedAt,
        documentId: documents.id,
        documentName: documents.name,
        collectionId: collections.id,
        collectionName: collections.name,
      })
      .from(jobs)
      // Compared as text: a payload without a well-formed version id must not fail the query.
      .leftJoin(documentVersions, sql`${documentVersions.id}::text = ${jobs.payload}->>'versionId'`)
      .leftJoin(documents, eq(documents.id, documentVersions.documentId))
      .leftJoin(collections, eq(collections.id, documents.collectionId))
      .where(status ? eq(jobs.status, status) : undefined)
      .orderBy(
        desc(status === "failed" ? sql`coalesce(${jobs.finishedAt}, ${jobs.createdAt})` : jobs.createdAt),
        desc(jobs.id),
      )
      .limit(limit)
  );
}

/** The most recent `backup create`, from its audit event; null when none was ever made. */
export async function getLastBackup(db: Executor): Promise<{ at: Date; archiveId: string } | null> {
  const [row] = await db
    .select({ at: auditEvents.at, payload: auditEvents.payload })
    .from(auditEvents)
    .where(eq(auditEvents.type, "backup.created"))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  if (!row) return null;
  return { at: row.at, archiveId: String((row.payload as { archiveId?: unknown }).archiveId ?? "") };
}
