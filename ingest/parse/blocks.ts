// Block assembly shared by every parser: drops empty text and enforces "something to index".

import { countInvisible, stripInvisible } from "@/lib/privacy/invisible";
import {
  MAX_HIDDEN_TEXT,
  ParseError,
  type DocumentFormat,
  type HiddenText,
  type OcrReport,
  type ParsedBlock,
  type ParsedDocument,
} from "@/lib/documents/parsed";
import { stripControls } from "./text-utils";

/** Zero-width characters are common in pasted web text; this many in one document is deliberate. */
const ZERO_WIDTH_REPORT_FROM = 16;

export const NO_TEXT_MESSAGE = "The file contains no text that can be indexed.";

export class BlockSink {
  readonly blocks: ParsedBlock[] = [];
  /** Hidden text the format-specific code found and left out. */
  readonly hidden: HiddenText[] = [];
  private invisible = { zeroWidth: 0, bidiOverrides: 0, tags: 0, tagText: "" };

  addHidden(reason: HiddenText["reason"], text: string): void {
    const clean = stripControls(stripInvisible(text)).replace(/\s+/g, " ").trim();
    if (clean.length === 0) return;
    this.hidden.push({ reason, text: clean.slice(0, MAX_HIDDEN_TEXT) });
  }

  /**
   * Adds a block unless its text is empty after trimming; headings get a level clamped to 1..6.
   * Control characters are removed here for every format: Postgres text cannot hold NUL, and
   * extraction artefacts like U+0016 only confuse embedders and readers.
   */
  add(
    kind: ParsedBlock["kind"],
    text: string,
    extra: { level?: number; page?: number; ocrConfidence?: number } = {},
  ): void {
    this.noteInvisible(text);
    const trimmed = stripControls(stripInvisible(text)).trim();
    if (trimmed.length === 0) return;
    const block: ParsedBlock = { kind, text: trimmed };
    if (kind === "heading") block.level = Math.min(6, Math.max(1, Math.round(extra.level ?? 1)));
    if (extra.page !== undefined) block.page = extra.page;
    if (extra.ocrConfidence !== undefined) block.ocrConfidence = extra.ocrConfidence;
    this.blocks.push(block);
  }

  /**
   * Invisible characters are removed from every block (they change what a model reads without
   * changing what a person sees); their presence is reported once per document.
   */
  private noteInvisible(text: string): void {
    if (!/[\u200B\u2060\uFEFF\u180E\u202A-\u202E\u2066-\u2069\uDB40]/.test(text)) return;
    const found = countInvisible(text);
    this.invisible.zeroWidth += found.zeroWidth;
    this.invisible.bidiOverrides += (text.match(/[\u202D\u202E]/g) ?? []).length;
    this.invisible.tags += found.tags;
    if (this.invisible.tagText.length < MAX_HIDDEN_TEXT) this.invisible.tagText += found.tagText;
  }

  /** The hidden-text report, invisible characters included. */
  hiddenReport(): HiddenText[] {
    const { zeroWidth, bidiOverrides, tags, tagText } = this.invisible;
    const out = [...this.hidden];
    if (tags > 0) {
      out.push({
        reason: "invisible_characters",
        text: tagText.trim() ? tagText.slice(0, MAX_HIDDEN_TEXT) : `${tags} invisible tag characters`,
      });
    }
    if (bidiOverrides > 0)
      out.push({
        reason: "invisible_characters",
        text: `${bidiOverrides} right-to-left override characters that reorder how text is displayed`,
      });
    if (zeroWidth >= ZERO_WIDTH_REPORT_FROM)
      out.push({ reason: "invisible_characters", text: `${zeroWidth} zero-width characters` });
    return out;
  }

  /** The first of the highest-level headings: a document's title when it has no metadata. */
  firstHeading(): string | undefined {
    let best: ParsedBlock | undefined;
    for (const b of this.blocks) {
      if (b.kind !== "heading") continue;
      if (!best || (b.level ?? 1) < (best.level ?? 1)) best = b;
      if (best.level === 1) break;
    }
    return best?.text;
  }
}

export function finishDocument(
  format: DocumentFormat,
  sink: BlockSink,
  meta: { title?: string; pageCount?: number; warnings?: string[]; noTextMessage?: string; ocr?: OcrReport } = {},
): ParsedDocument {
  if (sink.blocks.length === 0) throw new ParseError("no_text", meta.noTextMessage ?? NO_TEXT_MESSAGE);
  const doc: ParsedDocument = { format, blocks: sink.blocks, warnings: meta.warnings ?? [] };
  const title = meta.title?.trim();
  if (title) doc.title = title;
  if (meta.pageCount !== undefined) doc.pageCount = meta.pageCount;
  if (meta.ocr && meta.ocr.pages.length > 0) doc.ocr = meta.ocr;
  const hidden = sink.hiddenReport();
  if (hidden.length > 0) doc.hidden = hidden;
  return doc;
}
