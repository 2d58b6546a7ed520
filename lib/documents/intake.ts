import "server-only";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { requireCollectionNow, type ServiceContext } from "@/lib/service/context";
import { wakeWorkers } from "@/lib/jobs/local-workers";
import { parseEffectiveDate } from "./effective";
import { acceptUpload, type UploadOutcome } from "./upload";

// A batch may hold many files; only each file is held to MAX_UPLOAD_MB.
const BATCH_FACTOR = 20;

/**
 * Reads a multipart request and accepts each file on its own: one bad file never sinks the batch.
 * The right to upload is checked before the body is read, and again for each file.
 */
export async function acceptUploads(
  ctx: ServiceContext,
  req: Request,
  { collectionId }: { collectionId: string },
): Promise<{ status: number; files: UploadOutcome[] }> {
  await requireCollectionNow(ctx, collectionId, "manage");
  const e = env();
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("unsupported_media_type", "Upload files as multipart/form-data.");
  }
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > e.maxUploadBytes * BATCH_FACTOR) {
    throw new AppError(
      "payload_too_large",
      `The upload is larger than ${BATCH_FACTOR} times the per-file limit; send fewer files at once.`,
    );
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch (err) {
    throw new AppError("invalid_request", "The multipart body could not be read.", { cause: err });
  }
  const files = [...form.values()].filter((v): v is File => typeof v === "object" && v !== null && "arrayBuffer" in v);
  if (files.length === 0) throw new AppError("invalid_request", "The upload contains no files.");
  // One date for the batch, checked before any file is kept; an empty field means now.
  const dateField = form.get("effectiveFrom");
  const effectiveFrom =
    typeof dateField === "string" && dateField.trim() !== ""
      ? parseEffectiveDate(dateField, "effectiveFrom")
      : undefined;

  const outcomes: UploadOutcome[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    outcomes.push(
      await acceptUpload(
        ctx,
        { dataDir: e.dataDir, maxUploadBytes: e.maxUploadBytes },
        { collectionId, fileName: file.name, bytes, effectiveFrom },
      ),
    );
  }
  if (outcomes.some((o) => o.status === "queued")) wakeWorkers();
  const status = outcomes.some((o) => o.status === "queued")
    ? 202
    : outcomes.every((o) => o.status === "rejected")
      ? 400
      : 200;
  return { status, files: outcomes };
}
