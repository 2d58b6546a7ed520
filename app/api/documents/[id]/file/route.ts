import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { openOriginal } from "@/lib/documents/original";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
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

const NEVER_SCRIPT = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "sandbox; default-src 'none'",
  "cache-control": "private, no-store",
};

/**
 * The original file of the current (or a given `?version=`) version, for readers of the
 * document; under the `mask` policy readers get the masked rendition instead (lib/documents/original).
 * Originals are downloads (the in-app viewer, /documents/:id/view, shows them in the page: Chromium
 * refuses to display a PDF served under `sandbox`); the masked rendition opens inline. Nothing from
 * an upload can run script on this origin.
 */
export const GET = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const requested = new URL(req.url).searchParams.get("version");
  if (requested !== null && !uuidSchema.safeParse(requested).success)
    throw new AppError("not_found", "No such version of this document.");
  const opened = await openOriginal(db, actor, { documentId: id, versionId: requested, dataDir: env().dataDir });
  const version = opened.version;
  const fileName = version.originalName.replace(/["\\\r\n]/g, "_");
  if (opened.kind === "masked") {
    return new Response(opened.html, {
      headers: {
        ...NEVER_SCRIPT,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
        "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(`${fileName} (masked).html`)}`,
        "x-rendition": "masked",
      },
    });
  }
  return new Response(new Uint8Array(opened.bytes), {
    headers: {
      ...NEVER_SCRIPT,
      "content-type": TYPES[version.format ?? ""] ?? "application/octet-stream",
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    },
  });
});
