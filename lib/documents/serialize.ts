import type { DocumentListing } from "@/db/queries/documents";

export function documentListingJson(d: DocumentListing) {
  const v = d.latest;
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
    restrictedTo: d.restrictedTo.map((g) => g.name),
  };
}
