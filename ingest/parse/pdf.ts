// PDF → blocks with 1-based page numbers, via pdf.js text extraction; pages without a text layer
// are rendered and read with OCR when the caller gives an OCR engine.

import { ParseError, type ParsedDocument } from "@/lib/documents/parsed";
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
import type { OcrOptions } from "../ocr/pages";
import { damaged, shortReason } from "./errors";
import { loadPdf } from "./pdf-load";
import { readScannedPages, type ScannedPage } from "./pdf-ocr";
import { outlineHeadingLevels, type PdfDocument } from "./pdf-outline";
import { collapseSpace } from "./text-utils";

export const PDF_ENCRYPTED_MESSAGE = "The PDF is password-protected; upload an unprotected copy.";
export const PDF_NO_TEXT_MESSAGE = "No extractable text: scanned PDF, OCR not available.";

/**
 * A page whose text layer has fewer visible characters than this is read with OCR: a scan with
 * a stamped page or Bates number is still a scan. Its OCR text replaces the few characters, which
 * OCR reads too.
 */
export const MIN_TEXT_LAYER_CHARS = 16;

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
  /** Pages with (almost) no text layer: the empty ones and those under MIN_TEXT_LAYER_CHARS. */
  sparsePages: number[];
  failedPages: number[];
  firstFailure?: unknown;
}

/** Reads every page; a page that fails is recorded rather than failing the document. */
async function readPages(doc: PdfDocument): Promise<PageText> {
  const result: PageText = { pageLines: [], emptyPages: [], sparsePages: [], failedPages: [] };
  for (let n = 1; n <= doc.numPages; n++) {
    let runs: TextRun[] = [];
    try {
      runs = await pageRuns(doc, n);
      const visible = runs.reduce((sum, r) => sum + r.str.replace(/\s+/g, "").length, 0);
      if (visible === 0) result.emptyPages.push(n);
      if (visible < MIN_TEXT_LAYER_CHARS) result.sparsePages.push(n);
    } catch (err) {
      result.failedPages.push(n);
      result.firstFailure ??= err;
    }
    result.pageLines.push(buildLines(runs));
  }
  return result;
}

function pageWarnings(emptyPages: number[], failedPages: number[], withOcr: boolean): string[] {
  const warnings: string[] = [];
  if (emptyPages.length > 0) {
    const one = emptyPages.length === 1;
    const which = `${one ? "page" : "pages"} ${describePages(emptyPages)}`;
    warnings.push(
      withOcr
        ? `${emptyPages.length} ${one ? "page has" : "pages have"} no legible text, even with OCR (${which}).`
        : `${emptyPages.length} ${one ? "page has" : "pages have"} no extractable text (${which}); scanned pages are not indexed.`,
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

/** Why a PDF has nothing to index: no OCR, or what OCR ran into on its pages. */
function noText(scanned: Map<number, ScannedPage>): string {
  if (scanned.size === 0) return PDF_NO_TEXT_MESSAGE;
  const reasons = [...scanned.values()].flatMap((s) => (s.text.warning ? [s.text.warning] : []));
  if (reasons.length === 0) return "No extractable text: OCR found no legible text on the scanned pages.";
  return `No extractable text: ${reasons.slice(0, 3).join(" ")}${reasons.length > 3 ? ` (and ${reasons.length - 3} more)` : ""}`;
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

export async function parsePdf(bytes: Uint8Array, ocr?: OcrOptions): Promise<ParsedDocument> {
  const maxPixels = ocr?.maxImagePixels;
  const task = loadPdf(bytes, maxPixels);
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
    const { pageLines, sparsePages, failedPages, firstFailure, ...read } = await readPages(doc);
    if (failedPages.length === doc.numPages) throw damaged("PDF", firstFailure);
    const scanned = ocr ? await readScannedPages(doc, sparsePages, ocr) : new Map<number, ScannedPage>();
    // OCR text stands in for a sparse text layer; a page OCR found nothing on keeps what it had.
    const ocrPages = new Map([...scanned].filter(([, s]) => s.paragraphs.length > 0));
    const emptyPages = read.emptyPages.filter((n) => !ocrPages.has(n));
    if (emptyPages.length + failedPages.length === doc.numPages) throw new ParseError("no_text", noText(scanned));
    const warnings = [
      ...pageWarnings(emptyPages, failedPages, ocr !== undefined),
      ...[...scanned.values()].flatMap((s) => (s.text.warning ? [s.text.warning] : [])),
    ];

    const cleaned = doc.numPages >= 3 ? dropRepeatedEdges(pageLines) : pageLines;
    const paragraphs: Paragraph[] = cleaned.flatMap(
      (lines, i) => ocrPages.get(i + 1)?.paragraphs ?? buildParagraphs(lines, i + 1),
    );
    const confidence = new Map([...ocrPages.values()].flatMap((s) => [...s.confidence]));
    // Font sizes, and so headings and the cover title, come from the text layer alone.
    const textLayer = paragraphs.filter((p) => !confidence.has(p));
    const bodySize = bodyFontSize(textLayer);
    const levels = (await bookmarkHeadings(doc, paragraphs, warnings)) ?? headingLevels(textLayer, bodySize);
    const sink = new BlockSink();
    for (const p of paragraphs) {
      const level = levels.get(p);
      const ocrConfidence = confidence.get(p);
      if (level !== undefined) sink.add("heading", p.text, { level, page: p.page, ocrConfidence });
      else sink.add(p.bullet ? "list" : "paragraph", p.text, { page: p.page, ocrConfidence });
    }

    const title = (await metadataTitle(doc, warnings)) ?? coverTitle(textLayer, bodySize) ?? sink.firstHeading();
    return finishDocument("pdf", sink, {
      title,
      pageCount: doc.numPages,
      warnings,
      noTextMessage: noText(scanned),
      ocr: { engine: ocr?.engine.id ?? "", pages: [...scanned.values()].map((s) => s.text.page) },
    });
  } finally {
    await doc.destroy();
  }
}
