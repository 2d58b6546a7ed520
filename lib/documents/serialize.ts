import type { DocumentListing } from "@/db/queries/documents";
import { env } from "@/lib/env";
import type { DocumentScan } from "@/lib/privacy/document-scan";
import { ocrSummary } from "./ocr-summary";

/**
 * A document for listings. `withScan` adds the privacy scan (injection and hidden-text excerpts)
 * for those who manage the collection; every reader sees which kinds of personal data it holds.
 */
export function documentListingJson(d: DocumentListing, { withScan = false }: { withScan?: boolean } = {}) {
  const v = d.latest;
  const scan = (v?.scan ?? null) as DocumentScan | null;
  return {
    id: d.id,
    name: d.name,
    status: v?.status ?? "queued",
    version: v?.versionNumber ?? null,
    versionId: v?.id ?? null,
    currentVersionId: d.currentVersionId,
    title: v?.title ?? null,
    format: v?.format ?? null,
    sizeBytes: v?.sizeBytes ?? null,
    pages: v?.pageCount ?? null,
    chunkCount: v?.chunkCount ?? null,
    uploader: v?.uploadedBy ? { email: v.uploadedBy.email, name: v.uploadedBy.name } : null,
    uploadedAt: v?.createdAt ?? d.createdAt,
    processedAt: v?.processedAt ?? null,
    error: v?.error ? { code: v.errorCode, message: v.error } : null,
    warnings: v?.warnings ?? [],
    piiTypes: v?.piiTypes ?? [],
    ocr: v ? ocrSummary(v.ocr, env().OCR_CONFIDENCE_THRESHOLD) : null,
    restrictedTo: d.restrictedTo.map((g) => g.name),
    ...(withScan
      ? {
          scan: scan
            ? {
                pii: scan.pii,
                masked: scan.masked,
                injection: scan.injection.map(({ at: _at, ...f }) => f),
                hidden: scan.hidden,
                quarantined: v?.status === "quarantined",
              }
            : null,
          review: v?.review ?? null,
        }
      : {}),
  };
}
