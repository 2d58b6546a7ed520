// PDF → blocks with 1-based page numbers, via pdf.js text extraction. Configured so that it never
// fetches anything (no worker script, fonts, CMaps or WASM from a URL) and runs in this thread.

import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import * as pdfjsWorker from "pdfjs-dist/legacy/build/pdf.worker.mjs";
import { ParseError, type ParsedDocument } from "../types";
import { BlockSink, finishDocument } from "./blocks";
import {
  bodyFontSize,
  buildLines,
  buildParagraphs,
  dropRepeatedEdges,
  headingLevels,
  type Line,
  type Paragraph,
  type TextRun,
} from "./pdf-layout";
import { damaged, shortReason } from "./errors";
import { outlineHeadingLevels, type PdfDocument } from "./pdf-outline";
import { collapseSpace } from "./text-utils";

// pdf.js looks for an in-process worker here before trying to import its worker script by path,
// which fails once the code is bundled; providing it makes the fallback unnecessary.
const pdfGlobal = globalThis as { pdfjsWorker?: unknown };
pdfGlobal.pdfjsWorker ??= pdfjsWorker;

export const PDF_ENCRYPTED_MESSAGE = "The PDF is password-protected; upload an unprotected copy.";
export const PDF_NO_TEXT_MESSAGE = "No extractable text: scanned PDF, OCR not available.";

function describePages(pages: number[]): string {
  const shown = pages.slice(0, 10).join(", ");
  return pages.length > 10 ? `${shown} and ${pages.length - 10} more` : shown;
}

/** Metadata titles are often junk ("Microsoft Word - draft3.doc", "BCM"); only keep real ones. */
function sensibleTitle(title: unknown): string | undefined {
  if (typeof title !== "string") return undefined;
  const t = collapseSpace(title);
  if (/^(?:microsoft\s+\w+\s+-|untitled\b)/i.test(t)) return undefined;
  if (/\.(?:docx?|pdf|pptx?|xlsx?|rtf|txt|indd|qxp)$/i.test(t)) return undefined;
  return (t.match(/\p{L}{2,}/gu)?.length ?? 0) >= 2 ? t : undefined;
}

async function metadataTitle(doc: PdfDocument, warnings: string[]): Promise<string | undefined> {
  try {
    const meta = await doc.getMetadata();
    const info = meta.info as { Title?: unknown };
    return sensibleTitle(info.Title) ?? sensibleTitle(meta.metadata?.get("dc:title"));
  } catch (err) {
    warnings.push(
      `The PDF's metadata could not be read (${shortReason(err)}); the title comes from its first heading.`,
    );
    return undefined;
  }
}

/** The largest text on the first page with text, if larger than body text: on a cover, the title. */
function coverTitle(paragraphs: Paragraph[], bodySize: number): string | undefined {
  const firstPage = paragraphs[0]?.page;
  let best: Paragraph | undefined;
  for (const p of paragraphs) {
    if (p.page !== firstPage) break;
    if (p.size < bodySize * 1.1 || p.text.length > 200 || !/\p{L}{3}/u.test(p.text)) continue;
    if (!best || p.size > best.size) best = p;
  }
  return best?.text;
}

async function pageRuns(doc: PdfDocument, pageNumber: number): Promise<TextRun[]> {
  const page = await doc.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    const runs: TextRun[] = [];
    for (const item of content.items) {
      if (!("str" in item) || item.str.length === 0) continue;
      const [, , c = 0, d = 0, x = 0, y = 0] = item.transform as number[];
      runs.push({ str: item.str, x, y, width: item.width, size: Math.hypot(c, d) || item.height });
    }
    return runs;
  } finally {
    page.cleanup();
  }
}

interface PageText {
  pageLines: Line[][];
  emptyPages: number[];
  failedPages: number[];
  firstFailure?: unknown;
}

/** Reads every page; a page that fails is recorded rather than failing the document. */
async function readPages(doc: PdfDocument): Promise<PageText> {
  const result: PageText = { pageLines: [], emptyPages: [], failedPages: [] };
  for (let n = 1; n <= doc.numPages; n++) {
    let runs: TextRun[] = [];
    try {
      runs = await pageRuns(doc, n);
      if (runs.every((r) => r.str.trim() === "")) result.emptyPages.push(n);
    } catch (err) {
      result.failedPages.push(n);
      result.firstFailure ??= err;
    }
    result.pageLines.push(buildLines(runs));
  }
  return result;
}

function pageWarnings(emptyPages: number[], failedPages: number[]): string[] {
  const warnings: string[] = [];
  if (emptyPages.length > 0) {
    const one = emptyPages.length === 1;
    warnings.push(
      `${emptyPages.length} ${one ? "page has" : "pages have"} no extractable text (${one ? "page" : "pages"} ${describePages(emptyPages)}); scanned pages are not indexed.`,
    );
  }
  if (failedPages.length > 0) {
    const one = failedPages.length === 1;
    warnings.push(
      `${failedPages.length} ${one ? "page is" : "pages are"} damaged and could not be read (${one ? "page" : "pages"} ${describePages(failedPages)}).`,
    );
  }
  return warnings;
}

/** Headings from the bookmarks; a broken outline only costs the better headings, not the document. */
async function bookmarkHeadings(
  doc: PdfDocument,
  paragraphs: Paragraph[],
  warnings: string[],
): Promise<Map<Paragraph, number> | undefined> {
  try {
    return await outlineHeadingLevels(doc, paragraphs);
  } catch (err) {
    warnings.push(
      `The PDF's bookmarks could not be read (${shortReason(err)}); headings were inferred from font sizes.`,
    );
    return undefined;
  }
}

export async function parsePdf(bytes: Uint8Array): Promise<ParsedDocument> {
  const task = getDocument({
    // pdf.js may transfer or detach the buffer it is given; the caller keeps its own.
    data: new Uint8Array(bytes),
    verbosity: 0,
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    useWorkerFetch: false,
    useWasm: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    stopAtErrors: false,
  });
  let doc: PdfDocument;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy();
    if (err instanceof Error && err.name === "PasswordException") {
      throw new ParseError("encrypted", PDF_ENCRYPTED_MESSAGE, { cause: err });
    }
    throw damaged("PDF", err);
  }

  try {
    const { pageLines, emptyPages, failedPages, firstFailure } = await readPages(doc);
    if (failedPages.length === doc.numPages) throw damaged("PDF", firstFailure);
    if (emptyPages.length + failedPages.length === doc.numPages) throw new ParseError("no_text", PDF_NO_TEXT_MESSAGE);
    const warnings = pageWarnings(emptyPages, failedPages);

    const cleaned = doc.numPages >= 3 ? dropRepeatedEdges(pageLines) : pageLines;
    const paragraphs: Paragraph[] = cleaned.flatMap((lines, i) => buildParagraphs(lines, i + 1));
    const bodySize = bodyFontSize(paragraphs);
    const levels = (await bookmarkHeadings(doc, paragraphs, warnings)) ?? headingLevels(paragraphs, bodySize);
    const sink = new BlockSink();
    for (const p of paragraphs) {
      const level = levels.get(p);
      if (level !== undefined) sink.add("heading", p.text, { level, page: p.page });
      else sink.add(p.bullet ? "list" : "paragraph", p.text, { page: p.page });
    }

    const title = (await metadataTitle(doc, warnings)) ?? coverTitle(paragraphs, bodySize) ?? sink.firstHeading();
    return finishDocument("pdf", sink, {
      title,
      pageCount: doc.numPages,
      warnings,
      noTextMessage: PDF_NO_TEXT_MESSAGE,
    });
  } finally {
    await doc.destroy();
  }
}
