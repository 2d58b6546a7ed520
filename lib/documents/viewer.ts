import "server-only";
import type { Database } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import type { Actor } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { readerGetsMaskedText, recordFileRead, requireReadableVersion } from "./original";

// What the in-app viewer (/documents/:id/view) shows of one version: the PDF itself, drawn by
// pdf.js in the browser from GET /api/documents/:id/file, or the version's text page by page for
// every other format and for the masked rendition. The access rule is the download's and the
// passage's (requireReadableVersion): readers reach only the current published version, and a
// reader under the `mask` policy never gets the PDF, only the text stored already masked. Reads
// are audited like downloads.

/** Longest passage highlighted; chunks are far shorter, so this only bounds a forged range. */
const MAX_PASSAGE_CHARS = 20_000;

export interface ViewerDocument {
  documentId: string;
  versionId: string;
  versionNumber: number;
  title: string;
  format: string | null;
  current: boolean;
  /** `pdf`: the file is drawn by pdf.js; `text`: `pages` holds the text. */
  mode: "pdf" | "text";
  masked: boolean;
  /** Text mode: the text of each page (one entry when the format has no pages). */
  pages: string[];
  /** The cited passage: its text, and in text mode where it lies (page index and offsets in that page). */
  passage: { text: string; page: number; start: number; end: number }[] | null;
  passageText: string | null;
}

export async function openViewer(
  db: Database,
  actor: Actor,
  input: { documentId: string; versionId?: string | null; start?: number; end?: number },
): Promise<ViewerDocument> {
  const { doc, version, canManage } = await requireReadableVersion(db, actor, input);
  const collection = await getCollectionById(db, { id: doc.collectionId });
  if (!collection) throw new AppError("not_found", "No document with this id.");
  const masked = readerGetsMaskedText(collection, canManage);
  const mode = version.format === "pdf" && !masked && version.storagePath ? "pdf" : "text";
  const text = version.text;
  if (mode === "text" && text === null) throw new AppError("not_found", "The text of this version is no longer kept.");

  let passageText: string | null = null;
  let passage: ViewerDocument["passage"] = null;
  const pageStarts = version.pageStarts && version.pageStarts.length > 0 ? version.pageStarts : [0];
  if (input.start !== undefined && input.end !== undefined && text !== null) {
    if (input.end <= input.start || input.end - input.start > MAX_PASSAGE_CHARS || input.end > text.length)
      throw new AppError(
        "invalid_request",
        `The passage range ${input.start}–${input.end} is not inside this version (${text.length} characters).`,
      );
    passageText = text.slice(input.start, input.end);
    // The passage's pieces per page, so a passage across a page break is highlighted on both.
    passage = [];
    for (let i = 0; i < pageStarts.length; i++) {
      const from = pageStarts[i]!;
      const to = pageStarts[i + 1] ?? text.length;
      const a = Math.max(from, input.start);
      const b = Math.min(to, input.end);
      if (b > a) passage.push({ text: text.slice(a, b), page: i, start: a - from, end: b - from });
    }
  }
  // The text view discloses the document here, so it is recorded like a download (read.file) before
  // it is returned; a PDF is recorded when the viewer fetches it from the file route.
  if (mode === "text") await recordFileRead(db, actor, doc, version, masked ? "masked" : "original");
  return {
    documentId: doc.id,
    versionId: version.id,
    versionNumber: version.versionNumber,
    title: version.title ?? doc.name,
    format: version.format,
    current: doc.currentVersionId === version.id,
    mode,
    masked,
    pages:
      mode === "text" && text !== null
        ? pageStarts.map((from, i) => text.slice(from, pageStarts[i + 1] ?? text.length))
        : [],
    passage,
    passageText,
  };
}
