import type { Citation } from "./types";

// How a citation is named to people: in the chat's source list, in copied answers and in the
// reference list that the OpenAI-compatible API appends for clients that ignore extra fields.

export function citationLabel(c: Citation): string {
  const parts = [c.title];
  if (c.versionNumber !== null) parts.push(`version ${c.versionNumber}`);
  if (c.pageStart !== null)
    parts.push(
      c.pageEnd !== null && c.pageEnd !== c.pageStart ? `pages ${c.pageStart}–${c.pageEnd}` : `page ${c.pageStart}`,
    );
  const ocr = ocrNote(c);
  if (ocr) parts.push(ocr);
  return parts.join(", ");
}

/** "read by OCR, 87% confidence" for a passage from a scanned page or an image; null otherwise. */
export function ocrNote(c: Pick<Citation, "ocrConfidence">): string | null {
  // Citations stored before OCR existed have no such field; neither do passages the file held as text.
  if (c.ocrConfidence === undefined || c.ocrConfidence === null) return null;
  return `read by OCR, ${Math.round(c.ocrConfidence)}% confidence`;
}

/** "Sources:" followed by one line per citation, or "" when there are none. */
export function referenceList(citations: Citation[]): string {
  if (citations.length === 0) return "";
  const lines = citations.map((c) => `[${c.n}] ${citationLabel(c)}${c.headingPath ? ` — ${c.headingPath}` : ""}`);
  return `Sources:\n${lines.join("\n")}`;
}

export function withReferences(answer: string, citations: Citation[]): string {
  const refs = referenceList(citations);
  return refs ? `${answer}\n\n${refs}` : answer;
}

/**
 * A heading path short enough for a source list: the document's own title is dropped from its
 * start (PDF outlines often repeat it) and only the last two levels are kept.
 */
export function shortHeadingPath(title: string, headingPath: string): string {
  const norm = (t: string) =>
    t
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  let parts = headingPath
    .split(" > ")
    .map((p) => p.trim())
    .filter(Boolean);
  while (parts.length > 1 && norm(title).startsWith(norm(parts[0]!))) parts = parts.slice(1);
  if (parts.length === 1 && norm(parts[0]!) === norm(title)) return "";
  return parts.length > 2 ? `… > ${parts.slice(-2).join(" > ")}` : parts.join(" > ");
}
