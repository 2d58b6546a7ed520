// Reading one page picture with OCR inside a parser: the pixel limit is checked before anything is
// decoded, the time limit is the engine's, and a page that cannot be read is reported and left out
// rather than failing the document.

import { ParseError, type OcrPage } from "@/lib/documents/parsed";
import { OcrImageError, OcrTimeoutError, type OcrEngine, type OcrResult } from "./engine";

export interface OcrOptions {
  engine: OcrEngine;
  /** Wall-clock limit for one page (OCR_PAGE_TIMEOUT_SECONDS). */
  pageTimeoutMs: number;
  /** Largest picture read, in pixels (OCR_MAX_IMAGE_MEGAPIXELS). */
  maxImagePixels: number;
  /** Called before each page is read, for progress reports. */
  onPage?: (page: number, total: number) => void;
}

export interface PageText {
  page: OcrPage;
  result?: OcrResult;
  /** Why the page was left out, for the document's warnings. */
  warning?: string;
}

const megapixels = (pixels: number) => Math.round(pixels / 1e5) / 10;

export function tooManyPixels(width: number, height: number, maxPixels: number): string | null {
  if (width * height <= maxPixels) return null;
  return `${width} × ${height} pixels (${megapixels(width * height)} megapixels), more than the limit of ${megapixels(maxPixels)} megapixels (OCR_MAX_IMAGE_MEGAPIXELS)`;
}

/** For a file that is one picture: too large fails the document, naming the limit. */
export function assertPixels(width: number, height: number, maxPixels: number): void {
  const problem = tooManyPixels(width, height, maxPixels);
  if (problem) throw new ParseError("too_large", `The image is ${problem}; it was not read.`);
}

export function tooLargePage(page: number, problem: string): PageText {
  return {
    page: { page, status: "too_large", confidence: null, chars: 0 },
    warning: `Page ${page} is ${problem}; it was left out.`,
  };
}

export async function recognizePage(ocr: OcrOptions, image: Uint8Array, page: number): Promise<PageText> {
  try {
    const result = await ocr.engine.recognize(image, { timeoutMs: ocr.pageTimeoutMs });
    const chars = result.paragraphs.reduce((n, p) => n + p.text.length, 0);
    return {
      page: { page, status: chars > 0 ? "read" : "empty", confidence: chars > 0 ? result.confidence : null, chars },
      result,
    };
  } catch (err) {
    if (err instanceof OcrTimeoutError) {
      return {
        page: { page, status: "timed_out", confidence: null, chars: 0 },
        warning: `Page ${page} could not be read with OCR within ${Math.round(err.timeoutMs / 1000)} s (OCR_PAGE_TIMEOUT_SECONDS); it was left out.`,
      };
    }
    if (err instanceof OcrImageError) {
      return {
        page: { page, status: "failed", confidence: null, chars: 0 },
        warning: `Page ${page} could not be read with OCR (${err.message}); it was left out.`,
      };
    }
    throw err;
  }
}
