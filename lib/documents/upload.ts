import "server-only";
import { createHash, randomUUID } from "node:crypto";
import {
  findVersionWithContent,
  getActiveDocumentByName,
  insertDocument,
  insertVersion,
  lockDocumentName,
  nextVersionNumber,
} from "@/db/queries/documents";
import { insertJob } from "@/db/queries/jobs";
import { appendAudit, by as auditBy } from "@/lib/audit/log";
import { AppError } from "@/lib/errors";
import { requireCollectionNow, type ServiceContext } from "@/lib/service/context";
import { deleteOriginal, saveOriginal } from "@/lib/storage/files";
import { sanitizeFileName } from "./filename";

export const INGEST_JOB = "ingest.version";

export type UploadOutcome =
  | { name: string; status: "queued"; documentId: string; versionId: string; versionNumber: number; jobId: string }
  | { name: string; status: "unchanged"; documentId: string; versionId: string; message: string }
  | { name: string; status: "rejected"; error: { code: string; message: string } };

export interface UploadLimits {
  dataDir: string;
  maxUploadBytes: number;
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/**
 * Accepts one uploaded file into a collection: identical content already there is recognised
 * and not ingested again; a new file with an existing name becomes that document's next
 * version; anything else becomes a new document. The content is checked by the ingest job,
 * which fails with the reason if it cannot be read. Never throws for a bad file: the outcome
 * says what happened, so the other files of a batch go on. Throws for an actor who may not
 * manage the collection now (uploading is managing), before anything is stored.
 */
export async function acceptUpload(
  ctx: ServiceContext,
  limits: UploadLimits,
  input: {
    collectionId: string;
    fileName: string;
    bytes: Uint8Array;
    /** When the new version takes effect; default: now. A later moment schedules it. */
    effectiveFrom?: Date;
  },
): Promise<UploadOutcome> {
  const { actor: by, db } = ctx;
  const { collection } = await requireCollectionNow(ctx, input.collectionId, "manage");
  let name: string;
  try {
    name = sanitizeFileName(input.fileName);
  } catch (err) {
    const e = err as AppError;
    return { name: input.fileName, status: "rejected", error: { code: e.code, message: e.message } };
  }
  if (input.bytes.byteLength > limits.maxUploadBytes) {
    return {
      name,
      status: "rejected",
      error: {
        code: "payload_too_large",
        message: `The file is ${mb(input.bytes.byteLength)}; the limit is ${mb(limits.maxUploadBytes)}.`,
      },
    };
  }
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  const versionId = randomUUID();
  // Written before the row that points at it, and removed if that row is never committed.
  const { storagePath, dataKey } = await saveOriginal(limits.dataDir, versionId, input.bytes);
  let committed = false;
  try {
    const outcome = await db.transaction(async (tx): Promise<UploadOutcome> => {
      await lockDocumentName(tx, { collectionId: input.collectionId, name });
      await lockDocumentName(tx, { collectionId: input.collectionId, name: `sha256:${sha256}` });
      const same = await findVersionWithContent(tx, { collectionId: input.collectionId, sha256 });
      if (same) {
        const message =
          same.name === name
            ? "Identical to the current version; not ingested again."
            : `Identical to "${same.name}" in this collection; not ingested again.`;
        return { name, status: "unchanged", documentId: same.documentId, versionId: same.versionId, message };
      }
      const existing = await getActiveDocumentByName(tx, { collectionId: input.collectionId, name });
      const document =
        existing ?? (await insertDocument(tx, { collectionId: input.collectionId, name, createdBy: by.id }));
      const versionNumber = existing ? await nextVersionNumber(tx, { documentId: document.id }) : 1;
      await insertVersion(tx, {
        id: versionId,
        documentId: document.id,
        versionNumber,
        sha256,
        sizeBytes: input.bytes.byteLength,
        originalName: name,
        uploadedBy: by.id,
        storagePath,
        dataKey,
        ...(input.effectiveFrom ? { effectiveFrom: input.effectiveFrom } : {}),
      });
      const job = await insertJob(tx, { kind: INGEST_JOB, payload: { versionId }, createdBy: by.id });
      await appendAudit(tx, {
        type: "document.uploaded",
        ...auditBy(by),
        subject: { collectionId: input.collectionId, documentId: document.id },
        payload: {
          via: by.via,
          name,
          collection: collection.name,
          versionId,
          versionNumber,
          sha256,
          sizeBytes: input.bytes.byteLength,
          newDocument: !existing,
          effectiveFrom: (input.effectiveFrom ?? new Date()).toISOString(),
        },
      });
      return { name, status: "queued", documentId: document.id, versionId, versionNumber, jobId: job.id };
    });
    committed = outcome.status === "queued";
    return outcome;
  } finally {
    if (!committed) await deleteOriginal(limits.dataDir, storagePath);
  }
}
