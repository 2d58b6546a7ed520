import { z } from "zod";
import { getVersionById } from "@/db/queries/documents";
import { requireReadableDocument } from "@/lib/auth/access";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { requireActiveDocument } from "@/lib/documents/manage";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { readOriginal } from "@/lib/storage/files";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

const TYPES: Record<string, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
  text: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
};

/**
 * The original file of the current (or a given `?version=`) version, for readers of the
 * document. PDFs open inline so a citation link can jump to `#page=N`; everything else is a
 * download, and nothing from an upload can run script on this origin.
 */
export const GET = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const doc = await requireActiveDocument(db, id);
  await requireReadableDocument(db, actor, doc);
  const requested = new URL(req.url).searchParams.get("version");
  const versionId = requested ?? doc.currentVersionId;
  const version =
    versionId && uuidSchema.safeParse(versionId).success ? await getVersionById(db, { id: versionId }) : null;
  if (!version || version.documentId !== doc.id || !version.storagePath) {
    throw new AppError(
      "not_found",
      requested ? "No such version of this document." : "This document has no processed version yet.",
    );
  }
  const bytes = await readOriginal(env().dataDir, {
    id: version.id,
    storagePath: version.storagePath,
    dataKey: version.dataKey,
  });
  const inline = version.format === "pdf";
  const fileName = version.originalName.replace(/["\\\r\n]/g, "_");
  return new Response(new Uint8Array(bytes), {
    headers: {
      "content-type": TYPES[version.format ?? ""] ?? "application/octet-stream",
      "content-disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox; default-src 'none'",
      "cache-control": "private, no-store",
    },
  });
});
