// npm run bench:ocr [-- --file <pdf>] [--pages N] [--compare-models] [--show]
// OCR speed and accuracy on real pages: the first N pages with text of a real PDF (default: the
// CDC outpatient infection-prevention guide in ../shared/data/regdocs) are rendered to pictures,
// as a scanner would, and read back with OCR; the page's own text layer is the source text.
//   1. a scanned PDF of those pages (300 dpi greyscale, no text layer) through the parser sandbox,
//      as ingestion reads it: pages per second, and the character error rate (CER: edit distance
//      between OCR text and source text over the source's length, whitespace collapsed);
//   2. the same pages as JPEG photos (150 dpi, quality 60), each a separate upload;
//   3. with --compare-models, both English models the data package ships, in this process.
// --show prints each page's source and OCR text with its CER.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { distance } from "fastest-levenshtein";
import { createOcrEngine, OCR_MODELS } from "@/ingest/ocr/engine";
import { loadPdf } from "@/ingest/parse/pdf-load";
import { renderPage } from "@/ingest/parse/pdf-ocr";
import { parseDocument } from "@/ingest/parse";
import { jpegOf, scannedPdf } from "@/ingest/fixtures/make-scan";
import { parserLimitsFromEnv } from "@/ingest/sandbox/limits";
import { createParserPool } from "@/ingest/sandbox/pool";
import type { ParsedDocument } from "@/lib/documents/parsed";
import type { GreyImage } from "@/ingest/ocr/raster";
import { parseEnv } from "@/lib/env";

const { values } = parseArgs({
  options: {
    file: {
      type: "string",
      default: path.resolve(process.cwd(), "../shared/data/regdocs/cdc-nih-pdf/CDC_Outpatient-Guide-508_v2.3_2016.pdf"),
    },
    pages: { type: "string", default: "8" },
    "compare-models": { type: "boolean", default: false },
    show: { type: "boolean", default: false },
  },
});
const fmt = (n: number, d = 1) => n.toFixed(d);
const seconds = (t: number) => (performance.now() - t) / 1000;
const normalize = (s: string) => s.replace(/\s+/g, " ").trim();

function textByPage(doc: ParsedDocument): Map<number, string> {
  const out = new Map<number, string>();
  for (const b of doc.blocks) if (b.page !== undefined) out.set(b.page, `${out.get(b.page) ?? ""} ${b.text}`);
  return out;
}

/** Character-weighted CER over the pages (in order), and the median of the per-page rates. */
function cer(sources: string[], read: string[]): { overall: number; median: number } {
  let errors = 0;
  let chars = 0;
  const rates: number[] = [];
  sources.forEach((source, i) => {
    const src = normalize(source);
    const d = distance(normalize(read[i] ?? ""), src);
    errors += d;
    chars += src.length;
    rates.push(d / src.length);
    if (values.show) console.log({ page: i + 1, cer: d / src.length, source: src, ocr: normalize(read[i] ?? "") });
  });
  rates.sort((a, b) => a - b);
  return { overall: errors / chars, median: rates[Math.floor(rates.length / 2)] ?? 0 };
}

/** Pages 1..n of a parsed document, as text. */
function pagesOf(doc: ParsedDocument, n: number): string[] {
  const byPage = textByPage(doc);
  return Array.from({ length: n }, (_, i) => byPage.get(i + 1) ?? "");
}

async function main() {
  const wanted = Number(values.pages);
  const original = fs.readFileSync(values.file!);
  const textLayer = textByPage(await parseDocument(original, { filename: path.basename(values.file!) }));
  const pageNumbers = [...textLayer.keys()].filter((n) => normalize(textLayer.get(n)!).length >= 200).slice(0, wanted);
  const sources = new Map(pageNumbers.map((n) => [n, textLayer.get(n)!]));
  const sourceChars = [...sources.values()].reduce((n, s) => n + normalize(s).length, 0);
  console.log(
    `Source: ${pageNumbers.length} pages (${pageNumbers.join(", ")}) of ${path.basename(values.file!)}, ${sourceChars} characters`,
  );

  const doc = await loadPdf(original).promise;
  const scans: GreyImage[] = [];
  const photos: GreyImage[] = [];
  for (const n of pageNumbers) {
    scans.push(await renderPage(doc, n, { maxPixels: 1e8, dpi: 300 }));
    photos.push(await renderPage(doc, n, { maxPixels: 1e8, dpi: 150 }));
  }
  await doc.destroy();
  // The scanned PDF and the photos hold the pages in this order, numbered from 1.
  const sourceTexts = [...sources.values()];

  const limits = parserLimitsFromEnv(parseEnv({}));
  const parser = createParserPool({ size: 1, limits });
  try {
    await parser.parse(new TextEncoder().encode("warm-up"), { filename: "warm-up.txt", maxDecompressedBytes: 1e6 });
    const t1 = performance.now();
    const scanned = await parser.parse(scannedPdf(scans), { filename: "scan.pdf", maxDecompressedBytes: 1e9 });
    const scanSeconds = seconds(t1);
    const scanCer = cer(sourceTexts, pagesOf(scanned, scans.length));
    const confidence = scanned.ocr!.pages.map((p) => p.confidence ?? 0);
    console.log(
      `\nScanned PDF, 300 dpi, in the sandbox: ${scans.length} pages in ${fmt(scanSeconds)} s → ${fmt(scans.length / scanSeconds, 2)} pages/s; ` +
        `CER ${fmt(scanCer.overall * 100, 2)}% (median page ${fmt(scanCer.median * 100, 2)}%); mean confidence ${fmt(confidence.reduce((a, b) => a + b, 0) / confidence.length)}`,
    );

    const t2 = performance.now();
    const read: string[] = [];
    for (const photo of photos) {
      const parsed = await parser.parse(jpegOf(photo, 60), { filename: "photo.jpg", maxDecompressedBytes: 1e9 });
      read.push(pagesOf(parsed, 1)[0]!);
    }
    const photoSeconds = seconds(t2);
    const photoCer = cer(sourceTexts, read);
    console.log(
      `JPEG photos, 150 dpi, quality 60: ${photos.length} files in ${fmt(photoSeconds)} s → ${fmt(photos.length / photoSeconds, 2)} pages/s; ` +
        `CER ${fmt(photoCer.overall * 100, 2)}% (median page ${fmt(photoCer.median * 100, 2)}%)`,
    );
  } finally {
    await parser.close();
  }

  if (values["compare-models"]) {
    console.log("\nModels (300 dpi scan, in this process):");
    for (const model of OCR_MODELS) {
      const engine = createOcrEngine({ model });
      const ocr = { engine, pageTimeoutMs: limits.ocrPageTimeoutMs, maxImagePixels: limits.maxImagePixels };
      const t = performance.now();
      const parsed = await parseDocument(scannedPdf(scans), { filename: "scan.pdf", ocr });
      const s = seconds(t);
      const rate = cer(sourceTexts, pagesOf(parsed, scans.length));
      console.log(`  ${model}: ${fmt(scans.length / s, 2)} pages/s, CER ${fmt(rate.overall * 100, 2)}%`);
      await engine.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
