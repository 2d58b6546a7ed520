import "server-only";
import { getDocumentById, getVersionById, updateVersion } from "@/db/queries/documents";
import { insertJob } from "@/db/queries/jobs";
import { INGEST_JOB } from "@/lib/documents/upload";
import { lockDocument } from "@/lib/documents/manage";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { AppError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";

// An administrator's decision on a quarantined version. Releasing queues the version again: the
// pipeline sees the decision and publishes it (the findings stay on record, shown with who
// released it). Rejecting ends it: it never becomes searchable and its text is dropped. Either
// decision is recorded in the audit trail (document.released / document.rejected) with it.
// Administrators only (re-read at call time), so whoever uploaded a document cannot also wave it through.

export type ReviewDecision = "release" | "reject";

export const MAX_REVIEW_NOTE = 2000;

export async function reviewQuarantinedVersion(
  ctx: ServiceContext,
  { versionId, decision, note }: { versionId: string; decision: ReviewDecision; note: string },
): Promise<{ documentId: string; collectionId: string; jobId: string | null }> {
  const { actor: reviewer, db } = ctx;
  await requireRoleNow(ctx, "admin", "release or reject a quarantined version");
  const reviewerId = reviewer.id;
  const version = await getVersionById(db, { id: versionId });
  const document = version ? await getDocumentById(db, { id: version.documentId }) : null;
  if (!version || !document || document.status !== "active")
    throw new AppError("not_found", "No such document version.");
  return db.transaction(async (tx) => {
    await lockDocument(tx, document.id);
    // Read again under the lock: two reviewers deciding at once must not both win.
    const locked = await getVersionById(tx, { id: versionId });
    if (locked?.status !== "quarantined") {
      throw new AppError(
        "conflict",
        "This version is no longer waiting for review (someone else may have decided, or it was replaced).",
      );
    }
    const reviewed = {
      reviewDecision: decision === "release" ? "released" : "rejected",
      reviewNote: note || null,
      reviewedBy: reviewerId,
      reviewedAt: new Date(),
    };
    const scan = locked.scan as { injection?: { kind: string }[] } | null;
    const record = () =>
      appendAudit(tx, {
        type: decision === "release" ? "document.released" : "document.rejected",
        ...auditBy(reviewer),
        subject: { documentId: document.id, collectionId: document.collectionId },
        payload: {
          via: reviewer.via,
          name: document.name,
          versionId,
          versionNumber: locked.versionNumber,
          sha256: locked.sha256,
          note,
          findingKinds: [...new Set((scan?.injection ?? []).map((f) => f.kind))],
        },
      });
    if (decision === "reject") {
      await updateVersion(tx, {
        id: versionId,
        ...reviewed,
        status: "failed",
        errorCode: "quarantine_rejected",
        error: note ? `Rejected after review: ${note}` : "Rejected after review for possible prompt injection.",
        text: null,
      });
      await record();
      return { documentId: document.id, collectionId: document.collectionId, jobId: null };
    }
    await updateVersion(tx, { id: versionId, ...reviewed, status: "queued" });
    const job = await insertJob(tx, { kind: INGEST_JOB, payload: { versionId }, createdBy: reviewerId });
    await record();
    return { documentId: document.id, collectionId: document.collectionId, jobId: job.id };
  });
}
