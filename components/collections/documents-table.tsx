import type { documentListingJson } from "@/lib/documents/serialize";
import { DateTime } from "@/components/ui/date-time";
import { linkClass, tableClass, tdClass, thClass } from "@/components/ui/styles";
import { DeleteDocumentButton } from "./delete-document-button";
import { DocumentStatusBadge } from "./document-status-badge";
import { formatBytes } from "./format";
import { ManagedRow } from "./managed-row";
import { OcrNote } from "./ocr-note";
import { PiiTags } from "./pii-tags";
import { PrivacyFindings } from "./privacy-findings";
import { RestrictDocumentForm } from "./restrict-document-form";

export type DocumentRow = ReturnType<typeof documentListingJson>;

function Count({ value, testId }: { value: number | null; testId: string }) {
  return (
    <td className={`${tdClass} text-right tabular-nums`} data-testid={testId}>
      {value ?? <span className="text-gray-600">—</span>}
    </td>
  );
}

const day = (iso: string) => iso.slice(0, 10);
/** The last day in effect: the end is exclusive. */
const lastDay = (iso: string) => new Date(Date.parse(iso) - 1).toISOString().slice(0, 10);

/** When the listed version is (or was, or will be) in effect, and which version answers use now. */
function EffectiveNote({ doc }: { doc: DocumentRow }) {
  if (!doc.effectiveFrom) return null;
  const span = doc.effectiveUntil
    ? `${day(doc.effectiveFrom)} to ${lastDay(doc.effectiveUntil)}`
    : `${day(doc.effectiveFrom)} onwards`;
  return (
    <p className="mt-1 text-gray-800" data-testid="doc-effective">
      {doc.effectState === "scheduled"
        ? `Scheduled: takes effect ${day(doc.effectiveFrom)}.`
        : doc.effectState === "ended"
          ? `No longer in effect (was ${span}).`
          : `In effect ${span}.`}
      {doc.inEffect ? ` Version ${doc.inEffect.version} is in effect now.` : null}
    </p>
  );
}

// Document, status, version, pages, passages, size, uploaded, readers.
const COLUMNS = 8;

function DocumentCells({ doc, openable }: { doc: DocumentRow; openable: boolean }) {
  return (
    <>
      <th scope="row" className={`${tdClass} font-normal`}>
        {openable ? (
          <>
            <a
              href={`/documents/${doc.id}/view`}
              className={`${linkClass} font-medium wrap-anywhere`}
              data-testid="doc-view"
            >
              {doc.name}
            </a>{" "}
            <a href={`/api/documents/${doc.id}/file`} className={`${linkClass} text-xs`} data-testid="doc-open">
              Download
            </a>
            {doc.publishedVersions.length > 1 ? (
              <>
                {" "}
                <a href={`/documents/${doc.id}/changes`} className={`${linkClass} text-xs`} data-testid="doc-changes">
                  What changed
                </a>
              </>
            ) : null}
          </>
        ) : (
          <span className="font-medium wrap-anywhere text-gray-900">{doc.name}</span>
        )}
        {doc.title && doc.title !== doc.name ? <span className="block text-gray-700">{doc.title}</span> : null}
      </th>
      <td className={tdClass}>
        <DocumentStatusBadge status={doc.status} />
        {doc.error ? (
          <p className="mt-1 text-red-800" data-testid="doc-error">
            {doc.error.message}
          </p>
        ) : null}
        {doc.currentVersionId && doc.currentVersionId !== doc.versionId ? (
          <p className="mt-1 text-gray-800" data-testid="doc-current-note">
            An earlier version is still the one answers use.
          </p>
        ) : null}
        <EffectiveNote doc={doc} />
        {doc.status === "quarantined" ? (
          <p className="mt-1 text-amber-950" data-testid="doc-quarantine-note">
            Held out of search: possible prompt injection. An administrator must release or reject it.
          </p>
        ) : null}
        <PiiTags types={doc.piiTypes} counts={doc.scan?.pii} />
        <OcrNote ocr={doc.ocr} />
        {doc.warnings.length > 0 ? (
          <ul className="mt-1 list-disc pl-4 text-amber-900" aria-label="Warnings" data-testid="doc-warnings">
            {doc.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
      </td>
      <Count value={doc.version} testId="doc-version" />
      <Count value={doc.pages} testId="doc-pages" />
      <Count value={doc.chunkCount} testId="doc-chunks" />
      <td className={`${tdClass} text-right whitespace-nowrap`} data-testid="doc-size">
        {formatBytes(doc.sizeBytes)}
      </td>
      <td className={tdClass} data-testid="doc-uploaded">
        <span className="block">
          {doc.uploader ? doc.uploader.name : <span className="text-gray-600">Unknown</span>}
        </span>
        <span className="block whitespace-nowrap text-gray-700">
          <DateTime value={doc.uploadedAt} />
        </span>
      </td>
      <td className={tdClass} data-testid="doc-restricted">
        {doc.restrictedTo.length > 0 ? (
          `Only ${doc.restrictedTo.join(", ")}`
        ) : (
          <span className="text-gray-700">Whole collection</span>
        )}
      </td>
    </>
  );
}

/** The documents of a collection with the state of each one's newest version. */
export function DocumentsTable({
  documents,
  canManage,
  groups,
  openable,
}: {
  documents: DocumentRow[];
  canManage: boolean;
  groups: string[];
  /** Ids of documents whose original this person may open (a read grant, and any restriction includes them). */
  openable: ReadonlySet<string>;
}) {
  return (
    <div className="overflow-x-auto">
      <table className={tableClass} data-testid="documents-table">
        <thead>
          <tr>
            <th scope="col" className={`${thClass} min-w-48`}>
              Document
            </th>
            <th scope="col" className={`${thClass} min-w-40`}>
              Status
            </th>
            <th scope="col" className={`${thClass} text-right`}>
              Version
            </th>
            <th scope="col" className={`${thClass} text-right`}>
              Pages
            </th>
            <th scope="col" className={`${thClass} text-right`}>
              Passages
            </th>
            <th scope="col" className={`${thClass} text-right`}>
              Size
            </th>
            <th scope="col" className={thClass}>
              Uploaded
            </th>
            <th scope="col" className={thClass}>
              Readers
            </th>
            {canManage ? (
              <th scope="col" className={thClass}>
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {documents.map((doc) => {
            const cells = <DocumentCells doc={doc} openable={openable.has(doc.id)} />;
            if (!canManage) {
              return (
                <tr key={doc.id} data-testid={`doc-row-${doc.name}`}>
                  {cells}
                </tr>
              );
            }
            return (
              <ManagedRow
                key={doc.id}
                name={doc.name}
                testId={`doc-row-${doc.name}`}
                columns={COLUMNS + 1}
                cells={cells}
                panel={
                  <div className="space-y-6">
                    <div className="grid gap-6 sm:grid-cols-2">
                      <RestrictDocumentForm documentId={doc.id} groups={groups} restrictedTo={doc.restrictedTo} />
                      <div>
                        <DeleteDocumentButton documentId={doc.id} name={doc.name} />
                      </div>
                    </div>
                    <section aria-label={`Privacy scan of ${doc.name}`}>
                      <h3 className="text-sm font-semibold text-gray-900">Privacy and safety scan</h3>
                      <PrivacyFindings doc={doc} />
                    </section>
                  </div>
                }
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
