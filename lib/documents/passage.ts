import "server-only";
import type { Database } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";
import { auditActor } from "@/lib/audit/actor";
import { recordRead } from "@/lib/audit/reads";
import { AppError } from "@/lib/errors";
import { inEffect } from "./effective";
import { requireReadableVersion } from "./original";

// A cited passage in its surroundings, for the citation panel. Read from the version's stored
// canonical text (the text the chunk offsets index). Access is checked now, against the database,
// like a download: readers reach only the version in effect now, or the one in effect at the
// citation's asOf (lib/documents/original), so a scheduled, quarantined or refused version's text
// stays with the collection's managers. Each passage served is recorded as a read.

/** Characters of context shown on each side of the passage. */
const CONTEXT_CHARS = 600;
/** Longest passage served; chunks are far shorter, so this only bounds a forged range. */
const MAX_PASSAGE_CHARS = 20_000;

export interface PassageView {
  documentId: string;
  versionId: string;
  versionNumber: number;
  title: string;
  format: string | null;
  /** Whether this version is the one in effect now. */
  current: boolean;
  effectiveFrom: string | null;
  effectiveUntil: string | null;
  before: string;
  passage: string;
  after: string;
  /** Whether `before`/`after` stop short of the document's start/end. */
  truncatedBefore: boolean;
  truncatedAfter: boolean;
}

export async function readPassage(
  db: Database,
  actor: Actor,
  input: { documentId: string; versionId: string; start: number; end: number; asOf?: Date },
): Promise<PassageView> {
  const { doc, version, interval } = await requireReadableVersion(db, actor, {
    documentId: input.documentId,
    versionId: input.versionId,
    asOf: input.asOf,
  });
  if (version.text === null) throw new AppError("not_found", "The text of this version is no longer kept.");
  const text = version.text;
  if (input.end <= input.start || input.end - input.start > MAX_PASSAGE_CHARS || input.end > text.length) {
    throw new AppError(
      "invalid_request",
      `The passage range ${input.start}–${input.end} is not inside this version (${text.length} characters).`,
    );
  }
  const from = snapBack(text, Math.max(0, input.start - CONTEXT_CHARS));
  const to = snapForward(text, Math.min(text.length, input.end + CONTEXT_CHARS));
  // Recorded before it is returned: one event per opened passage (lib/audit/reads).
  await recordRead(db, auditActor(actor), {
    kind: "passage",
    documentId: doc.id,
    collectionId: doc.collectionId,
    versionId: version.id,
    versionNumber: version.versionNumber,
    name: version.originalName,
    start: input.start,
    end: input.end,
  });
  return {
    documentId: doc.id,
    versionId: version.id,
    versionNumber: version.versionNumber,
    title: version.title ?? doc.name,
    format: version.format,
    current: inEffect(interval ?? undefined, new Date()),
    effectiveFrom: interval?.from.toISOString() ?? null,
    effectiveUntil: interval?.until?.toISOString() ?? null,
    before: text.slice(from, input.start),
    passage: text.slice(input.start, input.end),
    after: text.slice(input.end, to),
    truncatedBefore: from > 0,
    truncatedAfter: to < text.length,
  };
}

// Context ends at a word boundary rather than mid-word.
function snapBack(text: string, at: number): number {
  if (at === 0) return 0;
  const space = text.indexOf(" ", at);
  return space === -1 || space - at > 40 ? at : space + 1;
}

function snapForward(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const space = text.lastIndexOf(" ", at);
  return space === -1 || at - space > 40 ? at : space;
}
