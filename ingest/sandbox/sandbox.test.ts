import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestParser } from "@/ingest/testing/parser";
import { makePdf, textPage } from "../fixtures/make-pdf";
import { pdfBomb, pngBomb, tiffLoop } from "../fixtures/make-hostile";
import { pdfOfPages, renderTextPages, scannedPdf } from "../fixtures/make-scan";
import type { GreyImage } from "../ocr/raster";
import { ParseError } from "@/lib/documents/parsed";
import type { DocumentParser } from "./pool";

// The parser sandbox with real parser processes: documents come back as the in-process parsers
// would return them, and files built to exhaust a parser fail alone, naming the limit they hit,
// while the same pool goes on parsing.

const job = (filename: string) => ({ filename, maxDecompressedBytes: 200 * 1024 * 1024 });
// A parser process holds about 340 MB with pdf.js loaded, and 600–700 MB while it reads a scanned
// page; a text PDF fits in this.
const SMALL_MEMORY = 600 * 1024 * 1024;

let parser: DocumentParser;
let small: DocumentParser;
let scan: GreyImage[];

beforeAll(async () => {
  parser = createTestParser();
  small = createTestParser({ memoryBytes: SMALL_MEMORY });
  scan = await renderTextPages([["Scanned page", "Visitors sign the register at the front desk."]]);
}, 60_000);

afterAll(async () => {
  await parser.close();
  await small.close();
});

async function parseError(promise: Promise<unknown>): Promise<ParseError> {
  const err = await promise.then(
    () => new Error("expected the parse to fail"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParseError);
  return err as ParseError;
}

describe("parser sandbox", () => {
  it("returns what the parsers read, OCR included, with progress for scanned pages", async () => {
    const md = await parser.parse(new TextEncoder().encode("# Visitors\n\nVisitors sign in."), job("v.md"));
    expect(md.blocks.map((b) => b.text)).toEqual(["Visitors", "Visitors sign in."]);

    const pages: number[] = [];
    const pdf = await parser.parse(scannedPdf(scan), { ...job("scan.pdf"), onProgress: (page) => pages.push(page) });
    expect(pages).toEqual([1]);
    expect(pdf.blocks[0]).toMatchObject({ page: 1, text: expect.stringContaining("sign the register") });
    expect(pdf.blocks[0]!.ocrConfidence).toBeGreaterThan(80);
    expect(pdf.ocr?.pages).toEqual([expect.objectContaining({ page: 1, status: "read" })]);
  }, 120_000);

  it("refuses a decompression-bomb image from its header, naming the limit, before decoding it", async () => {
    // 60,000 × 60,000 pixels in about 400 KB: 3.6 gigapixels, 14 GB as RGBA.
    const bomb = await pngBomb(60_000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const err = await parseError(parser.parse(bomb, job("bomb.png")));
    expect(err.code).toBe("too_large");
    expect(err.message).toMatch(
      /60000 × 60000 pixels .*more than the limit of 50 megapixels \(OCR_MAX_IMAGE_MEGAPIXELS\)/,
    );
  }, 60_000);

  it("stops a PDF that allocates without bound at the memory limit, and keeps parsing other files", async () => {
    // A 2 GB font program in 2 MB: pdf.js inflates a font file whole, into memory.
    const bomb = await pdfBomb(2048);
    const err = await parseError(small.parse(bomb, job("bomb.pdf")));
    expect(err.code).toBe("memory_limit");
    expect(err.message).toBe(
      "Reading the file needed more than the parser's memory limit of 600 MB (PARSER_MAX_MEMORY_MB); it was stopped and the document was not ingested.",
    );
    const next = await small.parse(makePdf([textPage(["Still reading files after that."])]), job("ok.pdf"));
    expect(next.blocks[0]?.text).toBe("Still reading files after that.");
  }, 120_000);

  it("stops a TIFF whose directories loop forever at a limit", async () => {
    const err = await parseError(small.parse(tiffLoop(), job("loop.tif")));
    expect(["memory_limit", "time_limit"]).toContain(err.code);
    expect(err.message).toMatch(/PARSER_MAX_MEMORY_MB|PARSER_TIMEOUT_SECONDS/);
  }, 120_000);

  it("stops a parse that runs past the time limit, naming it", async () => {
    const slow = createTestParser({ timeoutMs: 150 });
    try {
      const err = await parseError(slow.parse(scannedPdf(scan), job("slow.pdf")));
      expect(err.code).toBe("time_limit");
      expect(err.message).toMatch(/time limit of 0 s \(PARSER_TIMEOUT_SECONDS\)/);
    } finally {
      await slow.close();
    }
  }, 120_000);

  it("leaves out a page whose OCR runs past the page limit, reports it, and keeps the rest", async () => {
    const quick = createTestParser({ ocrPageTimeoutMs: 1 });
    try {
      const pdf = pdfOfPages([["The text layer of page one is read as it is."], scan[0]!]);
      const mixed = await quick.parse(pdf, job("mixed.pdf"));
      expect(mixed.blocks.map((b) => b.text)).toEqual(["The text layer of page one is read as it is."]);
      expect(mixed.ocr?.pages).toEqual([{ page: 2, status: "timed_out", confidence: null, chars: 0 }]);
      expect(mixed.warnings).toContain(
        "Page 2 could not be read with OCR within 0 s (OCR_PAGE_TIMEOUT_SECONDS); it was left out.",
      );
    } finally {
      await quick.close();
    }
  }, 120_000);

  it("reads images without any network: every parser process and thread is under the egress guard", async () => {
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kq-egress-")), "guard.jsonl");
    const saved = { options: process.env.NODE_OPTIONS, log: process.env.EGRESS_GUARD_LOG };
    process.env.NODE_OPTIONS = `--require ${path.join(process.cwd(), "scripts", "egress-guard.cjs")}`;
    process.env.EGRESS_GUARD_LOG = log;
    const guarded = createTestParser();
    try {
      const doc = await guarded.parse(scannedPdf(scan), job("guarded.pdf"));
      expect(doc.blocks[0]?.text).toContain("sign the register");
    } finally {
      process.env.NODE_OPTIONS = saved.options;
      process.env.EGRESS_GUARD_LOG = saved.log;
      if (saved.options === undefined) delete process.env.NODE_OPTIONS;
      if (saved.log === undefined) delete process.env.EGRESS_GUARD_LOG;
      await guarded.close();
    }
    const entries = fs
      .readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; thread: number });
    // The parser process itself and the OCR worker thread it started both loaded the guard.
    expect(new Set(entries.filter((e) => e.type === "loaded").map((e) => e.thread)).size).toBeGreaterThanOrEqual(2);
    expect(entries.filter((e) => e.type === "attempt")).toEqual([]);
  }, 120_000);
});
