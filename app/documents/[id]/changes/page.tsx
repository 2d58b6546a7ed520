import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { z } from "zod";
import { ChangedSection } from "@/components/documents/changed-section";
import { VersionPickers } from "@/components/documents/version-pickers";
import { h1Class, linkClass } from "@/components/ui/styles";
import { requireUser } from "@/lib/auth/guards";
import { documentChanges, type VersionSide } from "@/lib/documents/changes";
import { AppError } from "@/lib/errors";
import { getDb } from "@/lib/server/db";
import { uuidSchema } from "@/lib/users/schemas";

export const metadata: Metadata = { title: "What changed" };

const query = z.object({ from: uuidSchema.optional(), to: uuidSchema.optional() });

const day = (iso: string) => iso.slice(0, 10);
const lastDay = (iso: string) => new Date(Date.parse(iso) - 1).toISOString().slice(0, 10);

function sideLabel(v: VersionSide): string {
  const span = v.effectiveFrom
    ? `, in effect ${day(v.effectiveFrom)}${v.effectiveUntil ? ` to ${lastDay(v.effectiveUntil)}` : " onwards"}`
    : "";
  return `version ${v.versionNumber}${span}`;
}

/**
 * `/documents/:id/changes?from=&to=`: what changed between two versions of a document (default:
 * the version in effect and the one before it), built on the same verb as the JSON route, so the
 * same access rule applies: whoever may not read the document or a version gets a 404.
 */
export default async function ChangesPage({
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
  let changes;
  try {
    changes = await documentChanges(await getDb(), actor, { documentId: id.data, ...q.data });
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found" && err.message.includes("no earlier version"))
      return (
        <div className="space-y-2">
          <h1 className={h1Class}>What changed</h1>
          <p data-testid="changes-none">{err.message}</p>
        </div>
      );
    if (err instanceof AppError && err.code === "invalid_request")
      return (
        <div className="space-y-2">
          <h1 className={h1Class}>What changed</h1>
          <p data-testid="changes-none">
            {err.message}{" "}
            <a href={`/documents/${id.data}/changes`} className={linkClass}>
              Compare the version in effect with the one before it
            </a>
          </p>
        </div>
      );
    if (err instanceof AppError && err.code === "not_found") notFound();
    // An administrator who manages the collection but holds no read grant: told so, not a server error.
    if (err instanceof AppError && err.code === "forbidden") forbidden();
    throw err;
  }
  const { summary } = changes;
  return (
    <div className="space-y-4" data-testid="changes">
      <div>
        <h1 className={h1Class} data-testid="changes-title">
          What changed in {changes.name}
        </h1>
        <p className="mt-1 text-sm text-gray-800 dark:text-gray-200" data-testid="changes-versions">
          From {sideLabel(changes.from)} to {sideLabel(changes.to)}.
        </p>
        <p className="mt-1 text-sm text-gray-800 dark:text-gray-200" data-testid="changes-summary">
          {summary.added} section{summary.added === 1 ? "" : "s"} added, {summary.removed} removed, {summary.changed}{" "}
          changed.{" "}
          <a href={`/documents/${changes.documentId}/view?version=${changes.to.versionId}`} className={linkClass}>
            Open version {changes.to.versionNumber}
          </a>{" "}
          ·{" "}
          <a href={`/documents/${changes.documentId}/view?version=${changes.from.versionId}`} className={linkClass}>
            Open version {changes.from.versionNumber}
          </a>
        </p>
        <p className="mt-1 text-xs text-gray-700 dark:text-gray-300">
          <span className="rounded bg-green-100 dark:bg-green-900 px-1 text-green-950 dark:text-green-200">
            Added text
          </span>{" "}
          is in version {changes.to.versionNumber} only;{" "}
          <span className="rounded bg-red-100 dark:bg-red-900 px-1 text-red-950 dark:text-red-200 line-through">
            removed text
          </span>{" "}
          was in version {changes.from.versionNumber} only.
        </p>
      </div>
      <VersionPickers
        documentId={changes.documentId}
        versions={changes.versions}
        from={changes.from.versionId}
        to={changes.to.versionId}
      />
      {changes.sections.length === 0 ? (
        <p data-testid="changes-identical">The two versions have the same text.</p>
      ) : (
        <ol className="space-y-4">
          {changes.sections.map((s, i) => (
            <li key={`${s.heading}:${i}`}>
              <ChangedSection section={s} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
