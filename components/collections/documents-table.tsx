import type { documentListingJson } from "@/lib/documents/serialize";
import { DateTime } from "@/components/ui/date-time";
import { linkClass } from "@/components/ui/styles";
import { DeleteDocumentButton } from "./delete-document-button";
import { DocumentStatusBadge } from "./document-status-badge";
import { formatBytes } from "./format";
import { ManagedRow } from "./managed-row";
import { OcrNote } from "./ocr-note";
import { PiiTags } from "./pii-tags";
import { PrivacyFindings } from "./privacy-findings";
import { RestrictDocumentForm } from "./restrict-document-form";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";

export type DocumentRow = ReturnType<typeof documentListingJson>;

function Count({ value, testId }: { value: number | null; testId: string }) {
  return (
    <Td className="text-right tabular-nums" data-testid={testId}>
      {value ?? <span className="text-gray-600 dark:text-gray-400">—</span>}
    </Td>
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
    <p className="mt-1 text-gray-800 dark:text-gray-200" data-testid="doc-effective">
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
      <RowHeader>
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
          <span className="font-medium wrap-anywhere text-gray-900 dark:text-gray-100">{doc.name}</span>
        )}
        {doc.title && doc.title !== doc.name ? (
          <span className="block text-gray-700 dark:text-gray-300">{doc.title}</span>
        ) : null}
      </RowHeader>
      <Td>
        <DocumentStatusBadge status={doc.status} />
        {doc.error ? (
          <p className="mt-1 text-red-800 dark:text-red-300" data-testid="doc-error">
            {doc.error.message}
          </p>
        ) : null}
        {doc.currentVersionId && doc.currentVersionId !== doc.versionId ? (
          <p className="mt-1 text-gray-800 dark:text-gray-200" data-testid="doc-current-note">
            An earlier version is still the one answers use.
          </p>
        ) : null}
        <EffectiveNote doc={doc} />
        {doc.status === "quarantined" ? (
          <p className="mt-1 text-amber-950 dark:text-amber-200" data-testid="doc-quarantine-note">
            Held out of search: possible prompt injection. An administrator must release or reject it.
          </p>
        ) : null}
        <PiiTags types={doc.piiTypes} counts={doc.scan?.pii} />
        <OcrNote ocr={doc.ocr} />
        {doc.warnings.length > 0 ? (
          <ul
            className="mt-1 list-disc pl-4 text-amber-900 dark:text-amber-200"
            aria-label="Warnings"
            data-testid="doc-warnings"
          >
            {doc.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
      </Td>
      <Count value={doc.version} testId="doc-version" />
      <Count value={doc.pages} testId="doc-pages" />
      <Count value={doc.chunkCount} testId="doc-chunks" />
      <Td className="text-right whitespace-nowrap" data-testid="doc-size">
        {formatBytes(doc.sizeBytes)}
      </Td>
      <Td data-testid="doc-uploaded">
        <span className="block">
          {doc.uploader ? doc.uploader.name : <span className="text-gray-600 dark:text-gray-400">Unknown</span>}
        </span>
        <span className="block whitespace-nowrap text-gray-700 dark:text-gray-300">
          <DateTime value={doc.uploadedAt} />
        </span>
      </Td>
      <Td data-testid="doc-restricted">
        {doc.restrictedTo.length > 0 ? (
          `Only ${doc.restrictedTo.join(", ")}`
        ) : (
          <span className="text-gray-700 dark:text-gray-300">Whole collection</span>
        )}
      </Td>
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
      <Table data-testid="documents-table">
        <thead>
          <tr>
            <Th className="min-w-48">Document</Th>
            <Th className="min-w-40">Status</Th>
            <Th className="text-right">Version</Th>
            <Th className="text-right">Pages</Th>
            <Th className="text-right">Passages</Th>
            <Th className="text-right">Size</Th>
            <Th>Uploaded</Th>
            <Th>Readers</Th>
            {canManage ? (
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
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
                      <h3 className="text-sm font-semibold text-gray-900 dark:text-gray-100">
                        Privacy and safety scan
                      </h3>
                      <PrivacyFindings doc={doc} />
                    </section>
                  </div>
                }
              />
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}
