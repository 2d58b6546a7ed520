import { describe, expect, it } from "vitest";
import { parseRegdoc, REAL_DOCS } from "../parse/test-helpers";
import {
  BLOCK_SEPARATOR,
  canonicalText,
  type Chunk,
  type ParsedBlock,
  type ParsedDocument,
} from "@/lib/documents/parsed";
import { CHARS_PER_TOKEN, chunkDocument, estimateTokens } from "./chunker";

const h = (level: number, text: string): ParsedBlock => ({ kind: "heading", level, text });
const p = (text: string, page?: number): ParsedBlock =>
  page === undefined ? { kind: "paragraph", text } : { kind: "paragraph", text, page };

function blockRanges(doc: Pick<ParsedDocument, "blocks">): { start: number; end: number; block: ParsedBlock }[] {
  let offset = 0;
  return doc.blocks.map((block) => {
    const range = { start: offset, end: offset + block.text.length, block };
    offset = range.end + BLOCK_SEPARATOR.length;
    return range;
  });
}

/** Checks the chunk contract against the document, independently of how the chunker works. */
function expectValidChunks(doc: Pick<ParsedDocument, "blocks">, chunks: Chunk[], maxTokens: number): void {
  const canonical = canonicalText(doc);
  const ranges = blockRanges(doc);
  expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
  for (const chunk of chunks) {
    expect(canonical.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
    expect(chunk.text.trim()).toBe(chunk.text);
    expect(chunk.tokenCount).toBe(estimateTokens(chunk.text));
    expect(chunk.tokenCount).toBeLessThanOrEqual(maxTokens);

    const covered = ranges.filter((r) => r.start < chunk.charEnd && r.end > chunk.charStart);
    const pages = covered.map((r) => r.block.page).filter((n): n is number => n !== undefined);
    expect(chunk.pageStart).toBe(pages.length > 0 ? Math.min(...pages) : undefined);
    expect(chunk.pageEnd).toBe(pages.length > 0 ? Math.max(...pages) : undefined);

    // No chunk holds a heading after body text: it would blur which section the text is from.
    const firstBody = covered.findIndex((r) => r.block.kind !== "heading");
    if (firstBody >= 0) expect(covered.slice(firstBody).some((r) => r.block.kind === "heading")).toBe(false);

    // The path is the heading stack in force where the chunk's body (or last heading) begins.
    const anchor = firstBody >= 0 ? covered[firstBody]!.start : covered.at(-1)!.start;
    const stack: ParsedBlock[] = [];
    for (const r of ranges) {
      if (r.start > anchor) break;
      if (r.block.kind !== "heading") continue;
      while (stack.length > 0 && (stack.at(-1)!.level ?? 1) >= (r.block.level ?? 1)) stack.pop();
      stack.push(r.block);
    }
    expect(chunk.headingPath).toEqual(stack.map((b) => b.text));
  }
}

describe("estimateTokens", () => {
  it("counts four characters as a token, rounding up", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcd")).toBe(1);
    expect(estimateTokens("abcde")).toBe(2);
    expect(CHARS_PER_TOKEN).toBe(4);
  });
});

describe("chunkDocument on synthetic documents", () => {
  it("keeps sections apart and puts each heading at the start of its section's chunk", () => {
    const doc = {
      blocks: [p("Preamble."), h(1, "A"), p("Alpha text."), h(2, "A.1"), p("Sub text."), h(1, "B"), p("Beta text.")],
    };
    const chunks = chunkDocument(doc);
    expect(chunks.map((c) => [c.text, c.headingPath])).toEqual([
      ["Preamble.", []],
      ["A\n\nAlpha text.", ["A"]],
      ["A.1\n\nSub text.", ["A", "A.1"]],
      ["B\n\nBeta text.", ["B"]],
    ]);
    expectValidChunks(doc, chunks, 256);
  });

  it("keeps a run of headings with the body that follows it, under the deepest heading", () => {
    const doc = { blocks: [h(1, "1 Scope"), h(2, "1.1 Purpose"), p("Why this exists."), p("More on that.")] };
    expect(chunkDocument(doc).map((c) => [c.text, c.headingPath])).toEqual([
      ["1 Scope\n\n1.1 Purpose\n\nWhy this exists.\n\nMore on that.", ["1 Scope", "1.1 Purpose"]],
    ]);
  });

  it("emits an empty section's heading on its own rather than under its sibling", () => {
    const doc = { blocks: [h(2, "Empty"), h(2, "Full"), p("Content.")] };
    expect(chunkDocument(doc).map((c) => [c.text, c.headingPath])).toEqual([
      ["Empty", ["Empty"]],
      ["Full\n\nContent.", ["Full"]],
    ]);
  });

  it("packs consecutive blocks of a section up to maxTokens and carries page ranges", () => {
    const sentence = "Access reviews happen every quarter. ";
    const doc = {
      blocks: [h(1, "Reviews"), ...[1, 2, 2, 3, 3].map((page, i) => p(`${i} ${sentence.repeat(3).trim()}`, page))],
    };
    const chunks = chunkDocument(doc, { maxTokens: 64 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.text.startsWith("Reviews\n\n0 Access")).toBe(true);
    expect(chunks.some((c) => c.pageStart !== c.pageEnd)).toBe(true);
    expectValidChunks(doc, chunks, 64);
  });

  it("splits an oversized paragraph at sentence ends with overlap between the pieces", () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} says something about access control.`);
    const doc = { blocks: [h(1, "Policy"), p(sentences.join(" "), 7)] };
    const chunks = chunkDocument(doc, { maxTokens: 64, overlapTokens: 16 });
    expect(chunks.length).toBeGreaterThan(5);
    expectValidChunks(doc, chunks, 64);
    expect(chunks[0]!.text.startsWith("Policy\n\nSentence number 0")).toBe(true);
    for (const chunk of chunks) {
      expect(chunk.headingPath).toEqual(["Policy"]);
      expect(chunk).toMatchObject({ pageStart: 7, pageEnd: 7 });
    }
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]!;
      const next = chunks[i]!;
      expect(next.charStart).toBeLessThan(prev.charEnd);
      const overlap = prev.charEnd - next.charStart;
      expect(overlap).toBeGreaterThan(0);
      expect(overlap).toBeLessThanOrEqual(16 * CHARS_PER_TOKEN);
      expect(next.text.startsWith(prev.text.slice(prev.text.length - overlap))).toBe(true);
    }
    // Pieces end where sentences end, except the last which ends with the paragraph.
    for (const chunk of chunks) expect(chunk.text.endsWith(".")).toBe(true);
  });

  it("splits text without spaces (and astral characters) within the limit", () => {
    const doc = { blocks: [p("x".repeat(5000)), p("😀".repeat(3000))] };
    const chunks = chunkDocument(doc, { maxTokens: 100, overlapTokens: 10 });
    expectValidChunks(doc, chunks, 100);
    for (const chunk of chunks) expect(() => encodeURIComponent(chunk.text)).not.toThrow();
    const covered = new Set<number>();
    for (const c of chunks) for (let i = c.charStart; i < c.charEnd; i++) covered.add(i);
    expect(covered.size).toBe(canonicalText(doc).length - BLOCK_SEPARATOR.length);
  });

  it("is deterministic and handles an empty document", () => {
    const doc = { blocks: [h(1, "T"), p("a ".repeat(2000).trim()), p("b.")] };
    expect(chunkDocument(doc, { maxTokens: 50 })).toEqual(chunkDocument(doc, { maxTokens: 50 }));
    expect(chunkDocument({ blocks: [] })).toEqual([]);
  });
});

describe("chunkDocument on the real documents", () => {
  const names = Object.keys(REAL_DOCS) as (keyof typeof REAL_DOCS)[];

  it.each(names)("%s: exact slices, limits, page ranges and heading paths hold for every chunk", async (name) => {
    const doc = await parseRegdoc(REAL_DOCS[name]);
    const chunks = chunkDocument(doc);
    expect(chunks.length).toBeGreaterThan(0);
    expectValidChunks(doc, chunks, 256);
    expect(chunkDocument(doc)).toEqual(chunks);
    // Smaller chunks force many splits; the contract must still hold.
    expectValidChunks(doc, chunkDocument(doc, { maxTokens: 48, overlapTokens: 12 }), 48);
  });

  it("gives the PDF's chunks page ranges that match where the text is", async () => {
    const doc = await parseRegdoc(REAL_DOCS.pdf);
    const chunks = chunkDocument(doc);
    const board = chunks.find((c) => c.text.includes("The board of directors sets the tone and direction"))!;
    expect(board).toMatchObject({
      pageStart: 5,
      headingPath: ["I Governance", "I.A IT Governance", "I.A.1 Board of Directors Oversight"],
    });
    expect(chunks.every((c) => c.pageStart! >= 1 && c.pageEnd! <= doc.pageCount! && c.pageStart! <= c.pageEnd!)).toBe(
      true,
    );
    expect(chunks.some((c) => c.pageEnd! > c.pageStart!)).toBe(true);
  });

  it("overlaps the pieces of long OSCAL guidance paragraphs", async () => {
    const doc = await parseRegdoc(REAL_DOCS.oscal);
    const chunks = chunkDocument(doc, { maxTokens: 64, overlapTokens: 16 });
    const overlapping = chunks.filter((c, i) => i > 0 && c.charStart < chunks[i - 1]!.charEnd);
    expect(overlapping.length).toBeGreaterThan(100);
    const account = chunks.filter((c) => c.headingPath.join(" > ") === "AC Access Control > AC-2 Account Management");
    expect(account[0]!.text.startsWith("AC-2 Account Management\n\na. Define and document")).toBe(true);
  });
});
