import "server-only";
import type { Database } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import { getVersionById, listVersionTimes } from "@/db/queries/documents";
import { requireCollection, requireReadableDocument } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { auditActor } from "@/lib/audit/actor";
import { recordRead } from "@/lib/audit/reads";
import { AppError } from "@/lib/errors";
import { readOriginal } from "@/lib/storage/files";
import { inEffect, versionInEffect, versionIntervals, type Interval } from "./effective";
import { documentDetail, requireActiveDocument } from "./manage";
import { visibleToReader } from "./visibility";
import { maskedRendition } from "./rendition";

// Which version of a document a caller may open, and in what form. Readers reach only the
// published version in effect now, or, for a citation of an "as of" answer, the one in effect at
// that past moment: scheduled, quarantined, rejected and failed versions, and superseded ones
// outside such a citation, stay with the collection's managers. Under the collection's `mask` policy readers get the masked rendition (the
// extracted text, masked, with page anchors), never the uploaded file, which still holds the
// masked values; the unmasked original is for those who manage the collection.
// Every open is recorded (read.file, lib/audit/reads) before the content is returned.

type Version = NonNullable<Awaited<ReturnType<typeof getVersionById>>>;
type Doc = Awaited<ReturnType<typeof requireActiveDocument>>;

export interface ReadableVersion {
  doc: Doc;
  version: Version;
  /** Administrators and holders of a manage grant, who also hold a read grant. */
  canManage: boolean;
  /** Null for a version that is not published (managers only). */
  interval: Interval | null;
}

/** Whether a reader who does not manage the collection may see this version at `at` (default now). */
export function openToReaders(interval: Interval | undefined, at: Date = new Date()) {
  // A moment ahead of now would show a scheduled version before its date.
  const moment = at.getTime() > Date.now() ? new Date() : at;
  return inEffect(interval, moment);
}

/**
 * The version a caller may read (the one in effect at `asOf`, default now, unless `versionId`
 * names another), or a 404 that does not reveal whether another version exists.
 */
export async function requireReadableVersion(
  db: Database,
  actor: Actor,
  { documentId, versionId, asOf }: { documentId: string; versionId?: string | null; asOf?: Date },
): Promise<ReadableVersion> {
  const doc = await requireActiveDocument(db, documentId);
  await requireReadableDocument(db, actor, doc);
  const { access, isAdmin } = await requireCollection(db, actor, doc.collectionId, "read");
  const canManage = isAdmin || access === "manage";
  const at = asOf ?? new Date();
  const times = await listVersionTimes(db, { documentIds: [doc.id] });
  const intervals = versionIntervals(times);
  const id = versionId ?? versionInEffect(times, at)?.id ?? (canManage ? doc.currentVersionId : null);
  const version = id ? await getVersionById(db, { id }) : null;
  if (!version || version.documentId !== doc.id || (!canManage && !openToReaders(intervals.get(version.id), at)))
    throw new AppError(
      "not_found",
      versionId ? "No such version of this document." : "This document has no version in effect.",
    );
  return { doc, version, canManage, interval: intervals.get(version.id) ?? null };
}

/** Under the `mask` policy a reader who does not manage the collection gets the masked text, never the file. */
export function readerGetsMaskedText(collection: { piiPolicy: string }, canManage: boolean): boolean {
  return collection.piiPolicy === "mask" && !canManage;
}

export type OpenedOriginal =
  { kind: "original"; version: Version; bytes: Buffer } | { kind: "masked"; version: Version; html: string };

export async function openOriginal(
  db: Database,
  actor: Actor,
  input: { documentId: string; versionId?: string | null; dataDir: string },
): Promise<OpenedOriginal> {
  const { doc, version, canManage } = await requireReadableVersion(db, actor, input);
  const collection = await getCollectionById(db, { id: doc.collectionId });
  if (!collection) throw new AppError("not_found", "No document with this id.");
  if (readerGetsMaskedText(collection, canManage)) {
    if (version.text === null) throw new AppError("not_found", "The text of this version is no longer kept.");
    const html = maskedRendition(version);
    await recordFileRead(db, actor, doc, version, "masked");
    return { kind: "masked", version, html };
  }
  if (!version.storagePath)
    throw new AppError(
      "not_found",
      version.errorCode === "pii_rejected"
        ? "This version was refused by the collection's privacy policy and its file was deleted."
        : "This version's original is no longer kept.",
    );
  const bytes = await readOriginal(input.dataDir, {
    id: version.id,
    storagePath: version.storagePath,
    dataKey: version.dataKey,
  });
  await recordFileRead(db, actor, doc, version, "original");
  return { kind: "original", version, bytes };
}

/** One read.file event: the viewer's text view records its reads with it too. */
export function recordFileRead(
  db: Database,
  actor: Actor,
  doc: Doc,
  version: Version,
  rendition: "original" | "masked",
) {
  return recordRead(db, auditActor(actor), {
    kind: "file",
    rendition,
    documentId: doc.id,
    collectionId: doc.collectionId,
    versionId: version.id,
    versionNumber: version.versionNumber,
    name: version.originalName,
  });
}

/** A document with its versions, for anyone who may list it: readers learn of the version in effect now only. */
export async function documentDetailForCaller(db: Database, actor: Actor, documentId: string) {
  const doc = await requireActiveDocument(db, documentId);
  const { access, isAdmin } = await requireCollection(db, actor, doc.collectionId, "list");
  const detail = await documentDetail(db, documentId);
  const canManage = isAdmin || access === "manage";
  if (visibleToReader([detail], actor, canManage).length === 0)
    throw new AppError("not_found", "No document with this id.");
  if (canManage) return detail;
  const now = new Date();
  const versions = detail.versions.filter(
    (v) => v.state === "in_effect" && openToReaders(v.interval ?? undefined, now),
  );
  return { ...detail, currentVersionId: versions[0]?.id ?? null, versions };
}
