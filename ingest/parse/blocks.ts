// Block assembly shared by every parser: drops empty text and enforces "something to index".

import { ParseError, type DocumentFormat, type ParsedBlock, type ParsedDocument } from "../types";
import { stripControls } from "./text-utils";

export const NO_TEXT_MESSAGE = "The file contains no text that can be indexed.";

export class BlockSink {
  readonly blocks: ParsedBlock[] = [];

  /**
   * Adds a block unless its text is empty after trimming; headings get a level clamped to 1..6.
   * Control characters are removed here for every format: Postgres text cannot hold NUL, and
   * extraction artefacts like U+0016 only confuse embedders and readers.
   */
  add(kind: ParsedBlock["kind"], text: string, extra: { level?: number; page?: number } = {}): void {
    const trimmed = stripControls(text).trim();
    if (trimmed.length === 0) return;
    const block: ParsedBlock = { kind, text: trimmed };
    if (kind === "heading") block.level = Math.min(6, Math.max(1, Math.round(extra.level ?? 1)));
    if (extra.page !== undefined) block.page = extra.page;
    this.blocks.push(block);
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
  meta: { title?: string; pageCount?: number; warnings?: string[]; noTextMessage?: string } = {},
): ParsedDocument {
  if (sink.blocks.length === 0) throw new ParseError("no_text", meta.noTextMessage ?? NO_TEXT_MESSAGE);
  const doc: ParsedDocument = { format, blocks: sink.blocks, warnings: meta.warnings ?? [] };
  const title = meta.title?.trim();
  if (title) doc.title = title;
  if (meta.pageCount !== undefined) doc.pageCount = meta.pageCount;
  return doc;
}
