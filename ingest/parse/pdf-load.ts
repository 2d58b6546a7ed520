// Opens a PDF with pdf.js, configured so that it never fetches anything and runs in this thread:
// no worker script, and fonts and WebAssembly decoders only from pdfjs-dist's own folder.

import { createRequire } from "node:module";
import path from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import * as pdfjsWorker from "pdfjs-dist/legacy/build/pdf.worker.mjs";

// pdf.js looks for an in-process worker here before trying to import its worker script by path,
// which fails once the code is bundled; providing it makes the fallback unnecessary.
const pdfGlobal = globalThis as { pdfjsWorker?: unknown };
pdfGlobal.pdfjsWorker ??= pdfjsWorker;

const PDFJS_DIR = path.dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));

/** `maxPixels`: embedded pictures and intermediate canvases larger than this are not decoded. */
export function loadPdf(bytes: Uint8Array, maxPixels?: number) {
  return getDocument({
    // pdf.js may transfer or detach the buffer it is given; the caller keeps its own.
    data: new Uint8Array(bytes),
    verbosity: 0,
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    useWorkerFetch: false,
    // Local files, read with fs: the fonts a page names but does not embed (needed to render it),
    // and the JPEG 2000 and JBIG2 decoders scans are often compressed with.
    standardFontDataUrl: path.join(PDFJS_DIR, "standard_fonts") + path.sep,
    wasmUrl: path.join(PDFJS_DIR, "wasm") + path.sep,
    useWasm: true,
    maxImageSize: maxPixels ?? -1,
    canvasMaxAreaInBytes: maxPixels ? maxPixels * 4 : -1,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    enableXfa: false,
    stopAtErrors: false,
  });
}
