// The contract between parsers, the chunker and the pipeline.

export const DOCUMENT_FORMATS = [
  "pdf",
  "docx",
  "html",
  "markdown",
  "text",
  "csv",
  "json",
  "png",
  "jpeg",
  "tiff",
] as const;
/** Formats that hold pictures of text, read with OCR. */
export const IMAGE_FORMATS = ["png", "jpeg", "tiff"] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** A run of text in reading order, with where it sits in the document. */
export interface ParsedBlock {
  kind: "heading" | "paragraph" | "list" | "table" | "code" | "record";
  text: string;
  /** Headings only: 1 (top) to 6. */
  level?: number;
  /** 1-based page number, for formats that have pages (PDF, images, multi-page TIFF). */
  page?: number;
  /** Text read by OCR: Tesseract's confidence in it, 0–100. Absent for text the file itself holds. */
  ocrConfidence?: number;
}

/** Why text was judged invisible to a reader (and so left out of the blocks). */
export const HIDDEN_REASONS = [
  "display_none",
  "visibility_hidden",
  "hidden_attribute",
  "transparent",
  "same_color",
  "tiny_font",
  "off_screen",
  "clipped",
  "vanish",
  "invisible_characters",
] as const;
export type HiddenReason = (typeof HIDDEN_REASONS)[number];

/** Text a reader of the original would not see: kept out of the index, reported for review. */
export interface HiddenText {
  reason: HiddenReason;
  /** The hidden text itself (at most MAX_HIDDEN_TEXT characters), or a description for invisible characters. */
  text: string;
}

export const MAX_HIDDEN_TEXT = 2000;

/** What happened to one page read with OCR. */
export interface OcrPage {
  page: number;
  /** `read`: text found; `empty`: nothing legible; the rest: left out, with the reason. */
  status: "read" | "empty" | "timed_out" | "too_large" | "failed";
  /** Mean word confidence, 0–100; null when nothing was recognised. */
  confidence: number | null;
  /** Characters recognised. */
  chars: number;
}

export interface OcrReport {
  /** Engine and model, e.g. "tesseract.js 7.0.0, eng 4.0.0_best_int". */
  engine: string;
  pages: OcrPage[];
}

export interface ParsedDocument {
  format: DocumentFormat;
  /** From document metadata or the first top-level heading, when there is one. */
  title?: string;
  /** PDF and images. */
  pageCount?: number;
  blocks: ParsedBlock[];
  /** Things a person should know that did not stop parsing (e.g. "3 pages had no text"). */
  warnings: string[];
  /** Hidden text found and left out (HTML and DOCX styling, invisible characters in any format); absent when none. */
  hidden?: HiddenText[];
  /** Pages read with OCR (scanned PDF pages, images); absent when none were. */
  ocr?: OcrReport;
}

/**
 * A piece of a document sized for the embedder. Offsets index the document's canonical text:
 * the blocks' texts joined with "\n\n" (see `canonicalText`), which is stored with the version
 * so a citation can point at the exact place even after the document is superseded.
 */
export interface Chunk {
  index: number;
  text: string;
  headingPath: string[];
  pageStart?: number;
  pageEnd?: number;
  charStart: number;
  charEnd: number;
  /** Approximate token count used for sizing. */
  tokenCount: number;
  /** Lowest OCR confidence (0–100) of the text in the chunk; absent when none of it came from OCR. */
  ocrConfidence?: number;
}

export const PARSE_ERROR_CODES = [
  "unsupported_type",
  "empty",
  "corrupt",
  "encrypted",
  "no_text",
  "too_large",
  "unsafe_archive",
  "memory_limit",
  "time_limit",
] as const;
export type ParseErrorCode = (typeof PARSE_ERROR_CODES)[number];

/** A file that cannot be ingested, with a message for the person who uploaded it. */
export class ParseError extends Error {
  constructor(
    readonly code: ParseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ParseError";
  }
}

export const BLOCK_SEPARATOR = "\n\n";

export function canonicalText(doc: Pick<ParsedDocument, "blocks">): string {
  return doc.blocks.map((b) => b.text).join(BLOCK_SEPARATOR);
}
