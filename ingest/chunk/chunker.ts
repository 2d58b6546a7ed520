// Structure-aware chunking. Every chunk is an exact slice of the canonical text (blocks joined
// with BLOCK_SEPARATOR), so a citation's offsets always point at the words that were embedded;
// the heading path travels beside the text, never inside it.
// Rules: consecutive blocks of one section are packed up to maxTokens; every heading that follows
// body text starts a new chunk, so no chunk mixes sections and its heading path is exact; a
// heading opens the first chunk of its section (with any headings directly above it); a block too
// long for one chunk is cut at line or sentence ends, then between words, then anywhere, with
// overlapTokens of overlap between its consecutive pieces.

import { BLOCK_SEPARATOR, canonicalText, type Chunk, type ParsedDocument } from "@/lib/documents/parsed";
import { findCut, findOverlapStart } from "./split";

import { DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS } from "@/lib/rag/chunking";

export { DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS };
/** The usual rule of thumb for English with subword tokenizers; cheap and independent of the model. */
export const CHARS_PER_TOKEN = 4;

export interface ChunkOptions {
  maxTokens?: number;
  overlapTokens?: number;
}

/** Approximate token count: characters / 4, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

interface OpenChunk {
  start: number;
  end: number;
  path: string[];
  /** Level of the last heading in a chunk that has no body yet; only deeper headings may join it. */
  sectionLevel: number;
  firstBlock: number;
  lastBlock: number;
  hasBody: boolean;
}

export function chunkDocument(doc: Pick<ParsedDocument, "blocks">, options: ChunkOptions = {}): Chunk[] {
  const maxTokens = Math.max(8, Math.floor(options.maxTokens ?? DEFAULT_MAX_TOKENS));
  // Overlap beyond half a chunk would make pieces mostly repetition (and risk no progress).
  const overlapTokens = Math.min(
    Math.floor(maxTokens / 2),
    Math.max(0, Math.floor(options.overlapTokens ?? DEFAULT_OVERLAP_TOKENS)),
  );
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  const overlapChars = overlapTokens * CHARS_PER_TOKEN;

  const { blocks } = doc;
  const text = canonicalText(doc);
  const starts: number[] = [];
  let offset = 0;
  for (const block of blocks) {
    starts.push(offset);
    offset += block.text.length + BLOCK_SEPARATOR.length;
  }

  const chunks: Chunk[] = [];
  const stack: { level: number; text: string }[] = [];
  const currentPath = () => stack.map((h) => h.text);
  const currentLevel = () => stack.at(-1)?.level ?? Number.POSITIVE_INFINITY;
  let open: OpenChunk | undefined;

  const emit = (start: number, end: number, path: string[], firstBlock: number, lastBlock: number) => {
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (start >= end) return;
    let pageStart: number | undefined;
    let pageEnd: number | undefined;
    let ocrConfidence: number | undefined;
    for (let b = firstBlock; b <= lastBlock; b++) {
      const { page, ocrConfidence: confidence } = blocks[b]!;
      // The weakest recognised text decides how far the passage can be trusted.
      if (confidence !== undefined) ocrConfidence = Math.min(ocrConfidence ?? confidence, confidence);
      if (page === undefined) continue;
      pageStart = pageStart === undefined ? page : Math.min(pageStart, page);
      pageEnd = pageEnd === undefined ? page : Math.max(pageEnd, page);
    }
    const chunk: Chunk = {
      index: chunks.length,
      text: text.slice(start, end),
      headingPath: path,
      charStart: start,
      charEnd: end,
      tokenCount: Math.ceil((end - start) / CHARS_PER_TOKEN),
    };
    if (pageStart !== undefined) chunk.pageStart = pageStart;
    if (pageEnd !== undefined) chunk.pageEnd = pageEnd;
    if (ocrConfidence !== undefined) chunk.ocrConfidence = ocrConfidence;
    chunks.push(chunk);
  };

  const flush = () => {
    if (open) emit(open.start, open.end, open.path, open.firstBlock, open.lastBlock);
    open = undefined;
  };

  /** Cuts block `i` into pieces; the first joins `open` (headings only) when there is room. */
  const split = (i: number) => {
    const blockText = blocks[i]!.text;
    const base = starts[i]!;
    let prefix = open && !open.hasBody ? open : undefined;
    if (prefix && maxChars - (base - prefix.start) < maxChars / 4) {
      flush();
      prefix = undefined;
    }
    open = undefined;
    let from = 0;
    for (;;) {
      const room = prefix ? maxChars - (base - prefix.start) : maxChars;
      const end = blockText.length - from <= room ? blockText.length : findCut(blockText, from, from + room);
      if (end >= blockText.length) {
        // The tail stays open so the next blocks of the section can still be packed after it.
        open = prefix
          ? { ...adoptBodySection(prefix), end: base + end, lastBlock: i, hasBody: true }
          : {
              start: base + from,
              end: base + end,
              path: currentPath(),
              sectionLevel: currentLevel(),
              firstBlock: i,
              lastBlock: i,
              hasBody: true,
            };
        return;
      }
      if (prefix) emit(prefix.start, base + end, adoptBodySection(prefix).path, prefix.firstBlock, i);
      else emit(base + from, base + end, currentPath(), i, i);
      prefix = undefined;
      from = Math.max(from + 1, findOverlapStart(blockText, from, end, overlapChars));
      while (from < blockText.length && /\s/.test(blockText[from]!)) from++;
    }
  };

  blocks.forEach((block, i) => {
    const start = starts[i]!;
    const end = start + block.text.length;
    if (block.kind === "heading") {
      const level = block.level ?? 1;
      // Body text never shares a chunk with a later heading, so each chunk's heading path is exact;
      // only a run of headings with nothing between them ("1 Scope", "1.1 Purpose") stays together.
      if (open && (open.hasBody || level <= open.sectionLevel)) flush();
      while (stack.length > 0 && stack.at(-1)!.level >= level) stack.pop();
      stack.push({ level, text: block.text });
      if (open && end - open.start <= maxChars) {
        open.end = end;
        open.lastBlock = i;
        open.sectionLevel = level;
        return;
      }
      flush();
      if (block.text.length > maxChars) return split(i);
      open = { start, end, path: currentPath(), sectionLevel: level, firstBlock: i, lastBlock: i, hasBody: false };
      return;
    }
    if (open && end - open.start <= maxChars) {
      if (!open.hasBody) adoptBodySection(open);
      open.end = end;
      open.lastBlock = i;
      open.hasBody = true;
      return;
    }
    if (open?.hasBody) flush();
    if (!open && block.text.length <= maxChars) {
      open = {
        start,
        end,
        path: currentPath(),
        sectionLevel: currentLevel(),
        firstBlock: i,
        lastBlock: i,
        hasBody: true,
      };
      return;
    }
    split(i);
  });
  flush();
  return chunks;

  /**
   * A chunk that opens with several headings ("1 Overview", "1.1 Scope") holds the body of the
   * last one: its path and section level are those of the first body block.
   */
  function adoptBodySection(chunk: OpenChunk): OpenChunk {
    chunk.path = currentPath();
    chunk.sectionLevel = currentLevel();
    return chunk;
  }
}
