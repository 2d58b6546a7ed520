import "server-only";
import type { Database } from "@/db/client";
import { getVersionById, listVersionTimes } from "@/db/queries/documents";
import { requireCollection, requireReadableDocument } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { auditActor } from "@/lib/audit/actor";
import { recordRead } from "@/lib/audit/reads";
import { AppError } from "@/lib/errors";
import { compareTexts, type SectionChange } from "./compare";
import { versionInEffect, versionIntervals, type Interval } from "./effective";
import { requireActiveDocument } from "./manage";

// GET /api/documents/:id/changes and the comparison page: what changed between two versions of a
// document. Guarded like a passage: the caller must read the document now (collection grant and
// restriction, from the database); readers compare only versions that have been in effect (never
// a scheduled or unpublished one), those who manage the collection any version with text. The
// comparison discloses text, so it is recorded as a read.

export interface VersionSide {
  versionId: string;
  versionNumber: number;
  effectiveFrom: string | null;
  effectiveUntil: string | null;
}

export interface DocumentChanges {
  documentId: string;
  name: string;
  from: VersionSide;
  to: VersionSide;
  /** Every version this caller may compare, oldest in effect first: what the pickers offer. */
  versions: VersionSide[];
  summary: { added: number; removed: number; changed: number };
  sections: SectionChange[];
}

export async function documentChanges(
  db: Database,
  actor: Actor,
  input: { documentId: string; from?: string; to?: string },
): Promise<DocumentChanges> {
  const doc = await requireActiveDocument(db, input.documentId);
  await requireReadableDocument(db, actor, doc);
  const { access, isAdmin } = await requireCollection(db, actor, doc.collectionId, "read");
  const canManage = isAdmin || access === "manage";
  const times = await listVersionTimes(db, { documentIds: [doc.id] });
  const intervals = versionIntervals(times);
  const now = new Date();
  // Readers: published and already in effect once; a 404 that does not say which.
  const mayOpen = (id: string) => {
    const interval = intervals.get(id);
    return canManage || (interval !== undefined && interval.from.getTime() <= now.getTime());
  };
  const toId = input.to ?? versionInEffect(times, now)?.id;
  const ordered = [...intervals.entries()].sort((a, b) => a[1].from.getTime() - b[1].from.getTime());
  const fromId = input.from ?? ordered[ordered.findIndex(([id]) => id === toId) - 1]?.[0];
  if (!toId || !fromId) throw new AppError("not_found", "This document has no earlier version to compare with.");
  const [from, to] = await Promise.all([getVersionById(db, { id: fromId }), getVersionById(db, { id: toId })]);
  for (const v of [from, to])
    if (!v || v.documentId !== doc.id || !mayOpen(v.id))
      throw new AppError("not_found", "No such version of this document.");
  if (from!.id === to!.id) throw new AppError("invalid_request", "from and to name the same version.");
  if (from!.text === null || to!.text === null)
    throw new AppError("not_found", "The text of one of these versions is no longer kept.");
  const sections = compareTexts(from!.text, to!.text);
  await recordRead(db, auditActor(actor), {
    kind: "changes",
    documentId: doc.id,
    collectionId: doc.collectionId,
    versionId: to!.id,
    versionNumber: to!.versionNumber,
    name: to!.originalName,
    fromVersionId: from!.id,
    fromVersionNumber: from!.versionNumber,
  });
  const side = (v: { id: string; versionNumber: number }, interval: Interval | undefined): VersionSide => ({
    versionId: v.id,
    versionNumber: v.versionNumber,
    effectiveFrom: interval?.from.toISOString() ?? null,
    effectiveUntil: interval?.until?.toISOString() ?? null,
  });
  const numbers = new Map(times.map((t) => [t.id, t.versionNumber]));
  return {
    documentId: doc.id,
    name: doc.name,
    from: side(from!, intervals.get(from!.id)),
    to: side(to!, intervals.get(to!.id)),
    versions: ordered
      .filter(([id]) => mayOpen(id))
      .map(([id, interval]) => side({ id, versionNumber: numbers.get(id)! }, interval)),
    summary: {
      added: sections.filter((s) => s.change === "added").length,
      removed: sections.filter((s) => s.change === "removed").length,
      changed: sections.filter((s) => s.change === "changed").length,
    },
    sections,
  };
}
