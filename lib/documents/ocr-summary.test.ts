import { describe, expect, it } from "vitest";
import { ocrSummary } from "./ocr-summary";

describe("a document's OCR summary", () => {
  const report = {
    engine: "tesseract.js 7.0.0, eng 4.0.0_best_int",
    pages: [
      { page: 1, status: "read", confidence: 91.2, chars: 900 },
      { page: 2, status: "read", confidence: 47.6, chars: 300 },
      { page: 3, status: "empty", confidence: null, chars: 0 },
      { page: 4, status: "timed_out", confidence: null, chars: 0 },
      { page: 5, status: "too_large", confidence: null, chars: 0 },
    ],
  };

  it("lists the pages below the threshold and those left out, with why", () => {
    expect(ocrSummary(report, 60)).toEqual({
      engine: report.engine,
      pages: 5,
      threshold: 60,
      lowConfidence: [{ page: 2, confidence: 48 }],
      leftOut: [
        { page: 4, reason: "timed_out" },
        { page: 5, reason: "too_large" },
      ],
    });
    expect(ocrSummary(report, 95)!.lowConfidence.map((p) => p.page)).toEqual([1, 2]);
  });

  it("is absent for documents no page of which was read by OCR, or stored before OCR existed", () => {
    expect(ocrSummary(null, 60)).toBeNull();
    expect(ocrSummary({ engine: "x", pages: [] }, 60)).toBeNull();
    expect(ocrSummary({ unexpected: true }, 60)).toBeNull();
  });
});
