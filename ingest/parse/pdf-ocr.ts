// PDF pages without a text layer (scans, faxes, photographed pages) rendered with pdf.js onto an
// @napi-rs/canvas and read with OCR. The page is rendered at 300 dpi, the resolution Tesseract is
// trained for, or smaller when that would exceed the pixel limit, so no page size a file declares
// can make the canvas larger than the limit allows.

import { createCanvas } from "@napi-rs/canvas";
import { recognizePage, type OcrOptions, type PageText } from "../ocr/pages";
import { rgbaToGrey, toPgm, type GreyImage } from "../ocr/raster";
import { shortReason } from "./errors";
import type { Paragraph } from "./pdf-layout";
import type { PdfDocument } from "./pdf-outline";

export const RENDER_DPI = 300;

/** Renders page `n` in greyscale at `dpi`, or smaller where that would exceed `maxPixels`. */
export async function renderPage(
  doc: PdfDocument,
  n: number,
  { maxPixels, dpi = RENDER_DPI }: { maxPixels: number; dpi?: number },
): Promise<GreyImage> {
  const page = await doc.getPage(n);
  try {
    const base = page.getViewport({ scale: 1 });
    const scale = Math.min(dpi / 72, Math.sqrt(maxPixels / Math.max(1, base.width * base.height)));
    const viewport = page.getViewport({ scale });
    const width = Math.max(1, Math.floor(viewport.width));
    const height = Math.max(1, Math.floor(viewport.height));
    const canvas = createCanvas(width, height);
    const context = canvas.getContext("2d");
    // Scans are usually opaque, but a page may draw its text on nothing: give it paper.
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    await page.render({
      canvas: canvas as unknown as HTMLCanvasElement,
      canvasContext: context as unknown as CanvasRenderingContext2D,
      viewport,
    }).promise;
    return rgbaToGrey(context.getImageData(0, 0, width, height).data, width, height);
  } finally {
    page.cleanup();
  }
}

/** OCR text of a page, as paragraphs the PDF layout code can place; they never count as headings. */
export interface ScannedPage {
  text: PageText;
  paragraphs: Paragraph[];
  /** Confidence per paragraph, for the blocks. */
  confidence: Map<Paragraph, number>;
}

export async function readScannedPages(
  doc: PdfDocument,
  pages: number[],
  ocr: OcrOptions,
): Promise<Map<number, ScannedPage>> {
  const out = new Map<number, ScannedPage>();
  for (const [i, n] of pages.entries()) {
    ocr.onPage?.(i + 1, pages.length);
    const text = await readPage(doc, n, ocr);
    const confidence = new Map<Paragraph, number>();
    const paragraphs = (text.result?.paragraphs ?? []).map((p) => {
      const paragraph: Paragraph = { text: p.text, size: 0, lineCount: 1, page: n, bullet: false };
      confidence.set(paragraph, p.confidence);
      return paragraph;
    });
    out.set(n, { text, paragraphs, confidence });
  }
  return out;
}

async function readPage(doc: PdfDocument, n: number, ocr: OcrOptions): Promise<PageText> {
  let picture: Uint8Array;
  try {
    picture = toPgm(await renderPage(doc, n, { maxPixels: ocr.maxImagePixels }));
  } catch (err) {
    // A damaged image stream, say: the page is reported, the rest of the document is kept.
    return {
      page: { page: n, status: "failed", confidence: null, chars: 0 },
      warning: `Page ${n} could not be rendered for OCR (${shortReason(err)}); it was left out.`,
    };
  }
  return recognizePage(ocr, picture, n);
}
