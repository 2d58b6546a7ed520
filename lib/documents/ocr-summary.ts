import type { OcrPage, OcrReport } from "@/lib/documents/parsed";

// What a document's page shows of its OCR: how many pages were read that way, which ones were
// read with less confidence than the threshold (OCR_CONFIDENCE_THRESHOLD, applied when shown, so
// changing it needs no re-ingestion), and which were left out and why.

export interface OcrSummary {
  engine: string;
  /** Pages OCR was run on. */
  pages: number;
  threshold: number;
  lowConfidence: { page: number; confidence: number }[];
  leftOut: { page: number; reason: Exclude<OcrPage["status"], "read" | "empty"> }[];
}

export function ocrSummary(report: unknown, threshold: number): OcrSummary | null {
  if (!isReport(report) || report.pages.length === 0) return null;
  return {
    engine: report.engine,
    pages: report.pages.length,
    threshold,
    lowConfidence: report.pages
      .filter((p) => p.status === "read" && p.confidence !== null && p.confidence < threshold)
      .map((p) => ({ page: p.page, confidence: Math.round(p.confidence!) })),
    leftOut: report.pages.flatMap((p) =>
      p.status === "timed_out" || p.status === "too_large" || p.status === "failed"
        ? [{ page: p.page, reason: p.status }]
        : [],
    ),
  };
}

function isReport(value: unknown): value is OcrReport {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as OcrReport).engine === "string" &&
    Array.isArray((value as OcrReport).pages)
  );
}
