// Entry point of the parsers: bytes and a filename in, a ParsedDocument out. No network, and no
// files but the packages' own (pdf.js fonts, the OCR model); the filename is only a hint for
// telling text formats apart. The server never calls this directly: it runs in the parser sandbox
// (ingest/sandbox), a child process with memory and time limits.

import type { OcrOptions } from "../ocr/pages";
import { ParseError, type ParsedDocument } from "@/lib/documents/parsed";
import { detectFormat, EMPTY_MESSAGE, unsupportedType } from "./detect";
import { parseCsv } from "./csv";
import { parseDocx } from "./docx";
import { parseHtml } from "./html";
import { parseImage } from "./image";
import { parseJson } from "./json";
import { parseMarkdown } from "./markdown";
import { parsePdf } from "./pdf";
import { parseText } from "./text";
import { decodeText } from "./text-utils";

export { detectFormat } from "./detect";

export const DEFAULT_MAX_DECOMPRESSED_BYTES = 200 * 1024 * 1024;

export interface ParseOptions {
  filename: string;
  /** Upper bound on what an archive (DOCX) may expand to; larger archives are refused as unsafe. */
  maxDecompressedBytes?: number;
  /** Reads images and PDF pages without a text layer; without it those are reported as having no text. */
  ocr?: OcrOptions;
}

export async function parseDocument(bytes: Uint8Array, options: ParseOptions): Promise<ParsedDocument> {
  try {
    return await dispatch(bytes, options);
  } catch (err) {
    // Pathological nesting that slipped past the parsers' own limits: a bad file, not a bug to retry.
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      throw new ParseError("corrupt", "The file is nested too deeply to be read.", { cause: err });
    }
    throw err;
  }
}

async function dispatch(bytes: Uint8Array, options: ParseOptions): Promise<ParsedDocument> {
  const { filename, maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES, ocr } = options;
  const format = await detectFormat(bytes, filename);
  switch (format) {
    case "pdf":
      return parsePdf(bytes, ocr);
    case "png":
    case "jpeg":
    case "tiff":
      return parseImage(bytes, format, ocr);
    case "docx":
      return parseDocx(bytes, maxDecompressedBytes);
    default: {
      // detectFormat only returns a text format for bytes that decode, so null here is a bug upstream.
      const text = decodeText(bytes);
      if (text === null) throw unsupportedType(filename, "binary");
      if (text.trim() === "") throw new ParseError("empty", EMPTY_MESSAGE);
      if (format === "html") return parseHtml(text);
      if (format === "markdown") return parseMarkdown(text);
      if (format === "csv") return parseCsv(text, filename);
      if (format === "json") return parseJson(text);
      return parseText(text);
    }
  }
}
