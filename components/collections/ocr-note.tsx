import type { OcrSummary } from "@/lib/documents/ocr-summary";

const LEFT_OUT: Record<OcrSummary["leftOut"][number]["reason"], string> = {
  timed_out: "took too long",
  too_large: "too large",
  failed: "unreadable",
};

/** Which pages of a document were read by OCR, and those a reader should double-check. */
export function OcrNote({ ocr }: { ocr: OcrSummary | null }) {
  if (!ocr) return null;
  return (
    <div className="mt-1 text-gray-800 dark:text-gray-200" data-testid="doc-ocr">
      <p>
        Read by OCR: {ocr.pages} {ocr.pages === 1 ? "page" : "pages"}.
      </p>
      {ocr.lowConfidence.length > 0 ? (
        <p className="text-amber-950 dark:text-amber-200" data-testid="doc-ocr-low">
          Low OCR confidence (below {ocr.threshold}%):{" "}
          {ocr.lowConfidence.map((p) => `page ${p.page} (${p.confidence}%)`).join(", ")}. Check these pages against the
          original.
        </p>
      ) : null}
      {ocr.leftOut.length > 0 ? (
        <p className="text-amber-950 dark:text-amber-200" data-testid="doc-ocr-left-out">
          Left out: {ocr.leftOut.map((p) => `page ${p.page} (${LEFT_OUT[p.reason]})`).join(", ")}.
        </p>
      ) : null}
    </div>
  );
}
