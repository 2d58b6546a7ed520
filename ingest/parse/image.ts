// PNG, JPEG and TIFF uploads: pictures of text, read with OCR. The size is read from the header
// and checked against the pixel limit before any pixel is decoded, so a small file that inflates
// to gigabytes (a decompression bomb) is refused up front. PNG and JPEG go to Tesseract as they
// are; TIFF pages are decoded with UTIF (every TIFF compression scanners use, CCITT fax included)
// and each becomes a page, since Tesseract's reader would only see a multi-page file's first.

import { imageSize } from "image-size";
import UTIF from "utif2";
import { assertPixels, recognizePage, tooLargePage, tooManyPixels, type OcrOptions, type PageText } from "../ocr/pages";
import { rgbaToGrey, toPgm } from "../ocr/raster";
import { ParseError, type ImageFormat, type ParsedDocument } from "@/lib/documents/parsed";
import { BlockSink, finishDocument } from "./blocks";
import { damaged, shortReason } from "./errors";

export const OCR_UNAVAILABLE_MESSAGE = "Images are read with OCR, which this parser was started without.";

const DESCRIPTION: Record<ImageFormat, string> = { png: "PNG image", jpeg: "JPEG image", tiff: "TIFF image" };

export async function parseImage(
  bytes: Uint8Array,
  format: ImageFormat,
  ocr: OcrOptions | undefined,
): Promise<ParsedDocument> {
  if (!ocr) throw new ParseError("no_text", OCR_UNAVAILABLE_MESSAGE);
  const pages = format === "tiff" ? await readTiff(bytes, ocr) : [await readPicture(bytes, format, ocr)];
  const sink = new BlockSink();
  const warnings: string[] = [];
  for (const p of pages) {
    if (p.warning) warnings.push(p.warning);
    for (const paragraph of p.result?.paragraphs ?? []) {
      sink.add("paragraph", paragraph.text, { page: p.page.page, ocrConfidence: paragraph.confidence });
    }
  }
  const report = { engine: ocr.engine.id, pages: pages.map((p) => p.page) };
  if (sink.blocks.length === 0) throw new ParseError("no_text", noTextMessage(format, pages));
  return finishDocument(format, sink, { pageCount: pages.length, warnings, ocr: report });
}

function noTextMessage(format: ImageFormat, pages: PageText[]): string {
  const reasons = pages.filter((p) => p.warning).map((p) => p.warning!);
  if (pages.length === 1 && reasons.length === 1) return reasons[0]!.replace(/^Page 1 /, `The ${DESCRIPTION[format]} `);
  if (reasons.length > 0) return `No page of the ${DESCRIPTION[format]} could be read: ${reasons.join(" ")}`;
  return `OCR found no legible text in the ${DESCRIPTION[format]}.`;
}

async function readPicture(bytes: Uint8Array, format: "png" | "jpeg", ocr: OcrOptions): Promise<PageText> {
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch (err) {
    throw damaged(DESCRIPTION[format], err);
  }
  if (!size.width || !size.height) throw damaged(DESCRIPTION[format], new Error("no image size in the header"));
  assertPixels(size.width, size.height, ocr.maxImagePixels);
  ocr.onPage?.(1, 1);
  return recognizePage(ocr, bytes, 1);
}

async function readTiff(bytes: Uint8Array, ocr: OcrOptions): Promise<PageText[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let ifds: UTIF.IFD[];
  try {
    ifds = UTIF.decode(buffer);
  } catch (err) {
    throw damaged(DESCRIPTION.tiff, err);
  }
  // Only directories that hold a picture are pages (EXIF and GPS directories hold none).
  const pictures = ifds.filter((ifd) => dimension(ifd, "t256") > 0 && dimension(ifd, "t257") > 0);
  if (pictures.length === 0) throw damaged(DESCRIPTION.tiff, new Error("it holds no image"));
  if (pictures.length === 1) {
    assertPixels(dimension(pictures[0]!, "t256"), dimension(pictures[0]!, "t257"), ocr.maxImagePixels);
  }

  const pages: PageText[] = [];
  for (const [i, ifd] of pictures.entries()) {
    const page = i + 1;
    const width = dimension(ifd, "t256");
    const height = dimension(ifd, "t257");
    const problem = tooManyPixels(width, height, ocr.maxImagePixels);
    if (problem) {
      pages.push(tooLargePage(page, problem));
      continue;
    }
    ocr.onPage?.(page, pictures.length);
    let pgm: Uint8Array;
    try {
      UTIF.decodeImage(buffer, ifd);
      pgm = toPgm(rgbaToGrey(UTIF.toRGBA8(ifd), width, height));
    } catch (err) {
      if (pictures.length === 1) throw damaged(DESCRIPTION.tiff, err);
      pages.push({
        page: { page, status: "failed", confidence: null, chars: 0 },
        warning: `Page ${page} of the TIFF image is damaged (${shortReason(err)}); it was left out.`,
      });
      continue;
    }
    // The decoded pixels are not needed once the greyscale copy exists.
    ifd.data = new Uint8Array(0);
    pages.push(await recognizePage(ocr, pgm, page));
  }
  return pages;
}

function dimension(ifd: UTIF.IFD, tag: "t256" | "t257"): number {
  const value = ifd[tag];
  const n = Array.isArray(value) ? Number(value[0]) : Number(value);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
