import type { DocumentListing } from "@/db/queries/documents";
import { env } from "@/lib/env";
import type { DocumentScan } from "@/lib/privacy/document-scan";
import { effectState, versionInEffect, versionIntervals } from "./effective";
import { ocrSummary } from "./ocr-summary";

/**
 * A document for listings. `withScan` adds the privacy scan for those who manage the collection;
 * its excerpts are the document's own text, so they come only `withExcerpts`, to a manager who
 * may also read the document. Every reader sees which kinds of personal data it holds.
 */
export function documentListingJson(
  d: DocumentListing,
  { withScan = false, withExcerpts = false }: { withScan?: boolean; withExcerpts?: boolean } = {},
) {
  const v = d.latest;
  const scan = (v?.scan ?? null) as DocumentScan | null;
  const now = new Date();
  const intervals = versionIntervals(d.versionTimes);
  const interval = v ? intervals.get(v.id) : undefined;
  const inForce = versionInEffect(d.versionTimes, now);
  const inForceInterval = inForce ? intervals.get(inForce.id) : undefined;
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
    /** The listed version's interval (null until it is published) and where it stands now. */
    effectiveFrom: interval?.from.toISOString() ?? null,
    effectiveUntil: interval?.until?.toISOString() ?? null,
    effectState: effectState(interval, now),
    /** The version in effect now, when it is not the listed one (the listed one is scheduled or ended). */
    inEffect:
      inForce && inForceInterval && inForce.id !== v?.id
        ? {
            versionId: inForce.id,
            version: inForce.versionNumber,
            effectiveFrom: inForceInterval.from.toISOString(),
            effectiveUntil: inForceInterval.until?.toISOString() ?? null,
          }
        : null,
    /** Published versions, oldest first, for the comparison view's pickers. */
    publishedVersions: d.versionTimes
      .filter((t) => intervals.has(t.id) && (withScan || effectState(intervals.get(t.id), now) !== "scheduled"))
      .sort((a, b) => a.versionNumber - b.versionNumber)
      .map((t) => ({ versionId: t.id, version: t.versionNumber })),
    ...(withScan
      ? {
          scan: scan
            ? {
                pii: scan.pii,
                masked: scan.masked,
                injection: scan.injection.map(({ at: _at, excerpt, ...f }) => ({
                  ...f,
                  excerpt: withExcerpts ? excerpt : null,
                })),
                hidden: scan.hidden.map(({ excerpt, ...h }) => ({ ...h, excerpt: withExcerpts ? excerpt : null })),
                quarantined: v?.status === "quarantined",
              }
            : null,
          review: v?.review ?? null,
        }
      : {}),
  };
}
