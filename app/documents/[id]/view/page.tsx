import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { z } from "zod";
import { h1Class } from "@/components/ui/styles";
import { PdfViewer } from "@/components/viewer/pdf-viewer";
import { TextViewer } from "@/components/viewer/text-viewer";
import { getDb } from "@/lib/server/db";
import { requireUser } from "@/lib/auth/guards";
import { openViewer } from "@/lib/documents/viewer";
import { AppError } from "@/lib/errors";
import { uuidSchema } from "@/lib/users/schemas";

export const metadata: Metadata = { title: "Document" };

const query = z.object({
  version: uuidSchema.optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
  start: z.coerce.number().int().min(0).optional(),
  end: z.coerce.number().int().min(1).optional(),
});

/**
 * `/documents/:id/view?version=&page=&start=&end=`: a document opened at a page with the cited
 * passage (the character range `start`–`end` of the version's text) highlighted. Whoever may not
 * read the version gets a 404, exactly as from the file and passage routes.
 */
export default async function ViewerPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireUser();
  const id = uuidSchema.safeParse((await params).id);
  const q = query.safeParse(
    Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
  );
  if (!id.success || !q.success) notFound();
  let view;
  try {
    view = await openViewer(await getDb(), actor, {
      documentId: id.data,
      versionId: q.data.version ?? null,
      start: q.data.start,
      end: q.data.end,
    });
  } catch (err) {
    if (err instanceof AppError && (err.code === "not_found" || err.code === "invalid_request")) notFound();
    // An administrator who manages the collection but holds no read grant: told so, not a server error.
    if (err instanceof AppError && err.code === "forbidden") forbidden();
    throw err;
  }
  const page = q.data.page ?? (view.passage?.[0] ? view.passage[0].page + 1 : 1);
  return (
    <div className="space-y-4" data-testid="viewer">
      <div>
        <h1 className={h1Class} data-testid="viewer-title">
          {view.title}
        </h1>
        <p className="text-sm text-gray-700 dark:text-gray-300">
          Version {view.versionNumber}
          {view.current ? "" : " (a newer version exists)"}
          {view.masked ? " · personal data this collection masks is removed from this text" : ""}
        </p>
      </div>
      {view.mode === "pdf" ? (
        <PdfViewer
          documentId={view.documentId}
          versionId={view.versionId}
          initialPage={page}
          passages={view.passage ?? []}
          passageText={view.passageText}
        />
      ) : (
        <TextViewer pages={view.pages} initialPage={page} passages={view.passage ?? []} masked={view.masked} />
      )}
    </div>
  );
}
