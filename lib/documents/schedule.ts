import "server-only";
import { and, eq, inArray, isNull, lte } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  getVersionById,
  listVersionTimes,
  setCurrentVersion,
  settleVersionStatuses,
  updateVersion,
} from "@/db/queries/documents";
import { documents, documentVersions } from "@/db/schema";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { AppError } from "@/lib/errors";
import { requireCollectionNow, type ServiceContext } from "@/lib/service/context";
import { intervalMs, latestPublished, PUBLISHED_STATUSES, versionIntervals } from "./effective";
import { lockDocument, requireActiveDocument } from "./manage";

// Editing when versions are in effect, and recording scheduled versions as they take effect.
// Retrieval needs no action at a version's date: the interval in the index already admits it.
// What does need doing is the record: the sweep appends one audit event per scheduled version
// whose date has passed, once (a conditional update decides which process writes it).

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** What effective dates need from the search index. */
export interface IntervalIndex {
  setVersionInterval(versionId: string, interval: { effectiveFromMs: number; effectiveUntilMs: number }): Promise<void>;
}

/**
 * Recomputes every published version's interval after a date changed or a version left the
 * published set, and writes it to the index; with `settle`, the latest one becomes the document's
 * ready and current version. Runs under the document's row lock.
 */
export async function resyncIntervals(tx: Tx, index: IntervalIndex, documentId: string, { settle = false } = {}) {
  const times = await listVersionTimes(tx, { documentIds: [documentId] });
  const intervals = versionIntervals(times);
  for (const [id, interval] of intervals) await index.setVersionInterval(id, intervalMs(interval));
  const latest = latestPublished(times);
  if (latest && settle) {
    await settleVersionStatuses(tx, { documentId, latestId: latest.id });
    await setCurrentVersion(tx, { documentId, versionId: latest.id });
  }
  return intervals;
}

export interface EffectiveDatesChange {
  documentId: string;
  versionId: string;
  effectiveFrom?: Date;
  /** A moment ends the version (withdrawn); null lifts an explicit end. */
  effectiveUntil?: Date | null;
}

/** Changes when a version takes effect or ends; for those who manage the document's collection. */
export async function changeEffectiveDates(ctx: ServiceContext, index: IntervalIndex, input: EffectiveDatesChange) {
  const { actor: by, db } = ctx;
  const doc = await requireActiveDocument(db, input.documentId);
  await requireCollectionNow(ctx, doc.collectionId, "manage");
  if (input.effectiveFrom === undefined && input.effectiveUntil === undefined)
    throw new AppError("invalid_request", "Give effectiveFrom, effectiveUntil or both.");
  return db.transaction(async (tx) => {
    const row = await lockDocument(tx, doc.id);
    if (!row || row.status !== "active") throw new AppError("not_found", "No document with this id.");
    const version = await getVersionById(tx, { id: input.versionId });
    if (!version || version.documentId !== doc.id) throw new AppError("not_found", "No such version of this document.");
    if (version.status === "deleted") throw new AppError("not_found", "No such version of this document.");
    const from = input.effectiveFrom ?? version.effectiveFrom;
    const until = input.effectiveUntil === undefined ? version.effectiveUntil : input.effectiveUntil;
    if (until && until.getTime() <= from.getTime())
      throw new AppError("invalid_request", "effectiveUntil must be later than effectiveFrom.");
    const now = new Date();
    // Moved into the future: its taking effect is recorded again when the new date comes.
    const rescheduled = from.getTime() > now.getTime();
    await updateVersion(tx, {
      id: version.id,
      effectiveFrom: from,
      effectiveUntil: until,
      ...(rescheduled ? { effectRecordedAt: null } : version.effectRecordedAt ? {} : { effectRecordedAt: now }),
    });
    const intervals = await resyncIntervals(tx, index, doc.id, { settle: true });
    const interval = intervals.get(version.id) ?? null;
    await appendAudit(tx, {
      type: "document.effective_changed",
      ...auditBy(by),
      subject: { documentId: doc.id, collectionId: doc.collectionId },
      payload: {
        via: by.via,
        name: doc.name,
        versionId: version.id,
        versionNumber: version.versionNumber,
        before: {
          effectiveFrom: version.effectiveFrom.toISOString(),
          effectiveUntil: version.effectiveUntil?.toISOString() ?? null,
        },
        effectiveFrom: from.toISOString(),
        effectiveUntil: until?.toISOString() ?? null,
        scheduled: rescheduled,
      },
    });
    return {
      versionId: version.id,
      versionNumber: version.versionNumber,
      effectiveFrom: from.toISOString(),
      withdrawnAt: until?.toISOString() ?? null,
      interval: interval && {
        from: interval.from.toISOString(),
        until: interval.until?.toISOString() ?? null,
      },
    };
  });
}

/**
 * Records each published version whose effectiveFrom has passed and whose taking effect is not yet
 * on record (a scheduled one), one audit event each, by the system. Safe to run from several
 * processes at once: the update that claims a version only matches while it is unclaimed.
 */
export async function recordVersionsTakingEffect(db: Database, now: Date = new Date()): Promise<number> {
  const due = await db
    .select({ id: documentVersions.id })
    .from(documentVersions)
    .where(
      and(
        isNull(documentVersions.effectRecordedAt),
        lte(documentVersions.effectiveFrom, now),
        inArray(documentVersions.status, [...PUBLISHED_STATUSES]),
      ),
    )
    .limit(100);
  let recorded = 0;
  for (const { id } of due) {
    const done = await db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(documentVersions)
        .set({ effectRecordedAt: now })
        .where(and(eq(documentVersions.id, id), isNull(documentVersions.effectRecordedAt)))
        .returning({
          documentId: documentVersions.documentId,
          versionNumber: documentVersions.versionNumber,
          sha256: documentVersions.sha256,
          effectiveFrom: documentVersions.effectiveFrom,
        });
      if (!claimed) return false;
      const [doc] = await tx
        .select({ name: documents.name, collectionId: documents.collectionId })
        .from(documents)
        .where(eq(documents.id, claimed.documentId));
      const intervals = versionIntervals(await listVersionTimes(tx, { documentIds: [claimed.documentId] }));
      const interval = intervals.get(id);
      await appendAudit(tx, {
        type: "document.took_effect",
        actorId: null,
        subject: { documentId: claimed.documentId, collectionId: doc?.collectionId },
        payload: {
          via: "system",
          name: doc?.name ?? null,
          versionId: id,
          versionNumber: claimed.versionNumber,
          sha256: claimed.sha256,
          effectiveFrom: claimed.effectiveFrom.toISOString(),
          effectiveUntil: interval?.until?.toISOString() ?? null,
        },
      });
      return true;
    });
    if (done) recorded++;
  }
  return recorded;
}
