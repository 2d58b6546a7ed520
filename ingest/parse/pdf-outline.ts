// Headings from the PDF outline (bookmarks): when a document has one, it states the section
// structure exactly, which beats guessing from font sizes. Each entry is matched to a short
// paragraph with the same words on its destination page (or the next, for entries that point at
// the bottom of the page before).

import type { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import type { Paragraph } from "./pdf-layout";

export type PdfDocument = Awaited<ReturnType<typeof getDocument>["promise"]>;

interface OutlineEntry {
  title: string;
  depth: number;
  page: number;
}

interface OutlineNode {
  title: string;
  dest: string | unknown[] | null;
  items: OutlineNode[];
}

const MAX_ENTRIES = 2000;

function normalize(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

async function destinationPage(doc: PdfDocument, dest: OutlineNode["dest"]): Promise<number | undefined> {
  const explicit = typeof dest === "string" ? await doc.getDestination(dest) : dest;
  const target = explicit?.[0];
  if (typeof target === "number") return target + 1;
  if (target && typeof target === "object" && "num" in target) {
    return (await doc.getPageIndex(target as { num: number; gen: number })) + 1;
  }
  return undefined;
}

async function readOutline(doc: PdfDocument): Promise<OutlineEntry[]> {
  const roots = ((await doc.getOutline()) ?? []) as OutlineNode[];
  const entries: OutlineEntry[] = [];
  const queue: { node: OutlineNode; depth: number }[] = roots.map((node) => ({ node, depth: 1 })).reverse();
  while (queue.length > 0 && entries.length < MAX_ENTRIES) {
    const { node, depth } = queue.pop()!;
    const page = await destinationPage(doc, node.dest);
    // Some producers flatten the outline and show nesting by indenting titles with spaces.
    const indent = Math.floor((node.title.length - node.title.trimStart().length) / 2);
    if (page !== undefined && node.title.trim()) entries.push({ title: node.title, depth: depth + indent, page });
    for (let i = node.items.length - 1; i >= 0; i--) queue.push({ node: node.items[i]!, depth: depth + 1 });
  }
  return entries;
}

/**
 * Heading levels for paragraphs that match outline entries, or undefined when the outline is
 * missing or does not line up with the text (too few of its entries found) to be trusted.
 */
export async function outlineHeadingLevels(
  doc: PdfDocument,
  paragraphs: Paragraph[],
): Promise<Map<Paragraph, number> | undefined> {
  const entries = await readOutline(doc);
  if (entries.length < 3) return undefined;
  const byPage = new Map<number, Paragraph[]>();
  for (const p of paragraphs) {
    const list = byPage.get(p.page);
    if (list) list.push(p);
    else byPage.set(p.page, [p]);
  }
  const levels = new Map<Paragraph, number>();
  for (const entry of entries) {
    const wanted = normalize(entry.title);
    if (!wanted) continue;
    const candidates = [...(byPage.get(entry.page) ?? []), ...(byPage.get(entry.page + 1) ?? [])];
    const match = candidates.find((p) => {
      if (levels.has(p) || p.bullet || p.lineCount > 3) return false;
      const have = normalize(p.text);
      return have.startsWith(wanted) && have.length <= wanted.length + 12;
    });
    if (match) levels.set(match, Math.min(6, entry.depth));
  }
  return levels.size >= Math.max(3, Math.ceil(entries.length * 0.3)) ? levels : undefined;
}
