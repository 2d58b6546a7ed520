import type { Metadata } from "next";
import { FilterForm } from "@/components/compliance/filter-form";
import { VerifyChainForm } from "@/components/compliance/verify-chain-form";
import { formatUtc } from "@/components/ui/date-time";
import { h1Class, h2Class, secondaryButtonClass, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { filtersToSearchParams, parseAuditFilters, type AuditFilters } from "@/lib/audit/filters";
import { listEventsPage, readAuditLog } from "@/lib/audit/service";
import { listCollectionNames } from "@/lib/collections/listing";
import { countOpenReviewItems } from "@/lib/review/queue";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { requireRole } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 50;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function toSearchParams(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(raw))
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) p.append(k, x);
  return p;
}

export default async function AuditLogPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireRole("compliance");
  const db = await getDb();
  const params = toSearchParams(await searchParams);
  let filters: AuditFilters = {};
  let error: string | null = null;
  let page: Awaited<ReturnType<typeof listEventsPage>> = { events: [], nextBefore: null };
  try {
    filters = parseAuditFilters(params);
    const before = Number(params.get("before"));
    page = await readAuditLog(
      { actor, db },
      {
        filters,
        beforeSeq: Number.isSafeInteger(before) && before > 0 ? before : undefined,
        limit: PAGE_SIZE,
      },
    );
  } catch (err) {
    if (!(err instanceof AppError) || !err.expose) throw err;
    error = err.message;
  }
  const collections = await listCollectionNames(db);
  const waiting = await countOpenReviewItems(db);
  const query = filtersToSearchParams(filters);
  const key = loadSigningKey(env());
  const exportHref = (format: string) =>
    `/api/audit/export?${new URLSearchParams([["format", format], ...query.entries()]).toString()}`;

  return (
    <div>
      <div className="flex flex-wrap items-baseline justify-between gap-4">
        <h1 className={h1Class}>Audit log</h1>
        <div className="flex flex-wrap gap-4">
          <TextLink href="/compliance/review" data-testid="review-queue-link">
            Review queue ({waiting} waiting)
          </TextLink>
          <TextLink href="/compliance/retention" data-testid="retention-link">
            Retention and legal holds
          </TextLink>
        </div>
      </div>
      <p className="mt-2 text-sm text-gray-800 dark:text-gray-200">
        Every sign-in, change and answer, in order, each chained to the one before by its hash. Times are UTC.
      </p>

      <section aria-labelledby="filters-heading" className={sectionClass}>
        <h2 id="filters-heading" className={h2Class}>
          Filters
        </h2>
        <FilterForm filters={filters} collections={collections} />
        {error ? (
          <p
            role="alert"
            className="rounded-md border border-red-700 dark:border-red-400 bg-red-50 dark:bg-red-950 px-3 py-2 text-sm text-red-900 dark:text-red-200"
            data-testid="filter-error"
          >
            {error}
          </p>
        ) : null}
      </section>

      <section aria-labelledby="events-heading" className={sectionClass}>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="events-heading" className={h2Class}>
            Events
          </h2>
          <div className="flex gap-2">
            <a href={exportHref("csv")} className={secondaryButtonClass} data-testid="export-csv" download>
              Export CSV
            </a>
            <a href={exportHref("jsonl")} className={secondaryButtonClass} data-testid="export-jsonl" download>
              Export JSONL
            </a>
          </div>
        </div>
        {page.events.length === 0 ? (
          <p className="text-sm" data-testid="events-empty">
            No events match these filters.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <Table data-testid="events-table">
              <thead>
                <tr>
                  <Th>#</Th>
                  <Th>Time</Th>
                  <Th>Type</Th>
                  <Th>Who</Th>
                  <Th>What</Th>
                </tr>
              </thead>
              <tbody>
                {page.events.map((e) => (
                  <tr key={e.seq} data-testid="event-row" data-type={e.type}>
                    <RowHeader>
                      <TextLink href={`/compliance/events/${e.seq}`} data-testid={`event-link-${e.seq}`}>
                        {e.seq}
                      </TextLink>
                    </RowHeader>
                    <Td className="whitespace-nowrap">
                      <time dateTime={e.at}>{formatUtc(new Date(e.at))}</time>
                    </Td>
                    <Td data-testid="event-type">{e.type}</Td>
                    <Td data-testid="event-actor">
                      {e.actorEmail ?? (typeof e.payload.via === "string" ? `(${e.payload.via})` : "(system)")}
                    </Td>
                    <Td data-testid="event-summary">{e.summary}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
        <nav aria-label="Pages" className="flex gap-4 text-sm">
          {params.get("before") ? <TextLink href={`/compliance?${query.toString()}`}>Newest</TextLink> : null}
          {page.nextBefore ? (
            <TextLink
              href={`/compliance?${new URLSearchParams([...query.entries(), ["before", String(page.nextBefore)]]).toString()}`}
              data-testid="older-page"
            >
              Older events
            </TextLink>
          ) : null}
        </nav>
      </section>

      <section aria-labelledby="integrity-heading" className={sectionClass}>
        <h2 id="integrity-heading" className={h2Class}>
          Integrity
        </h2>
        <VerifyChainForm />
        <p className="text-sm text-gray-800 dark:text-gray-200">
          Exports are signed with this Ed25519 key. Check one anywhere with{" "}
          <code className="rounded bg-gray-100 dark:bg-gray-800 px-1">
            npm run cli -- audit verify-export FILE --public-key KEY.pem
          </code>
          .
        </p>
        <p className="text-sm">
          Fingerprint: <code data-testid="key-fingerprint">{key.fingerprint}</code>
        </p>
        <pre className="overflow-x-auto rounded-md bg-gray-100 dark:bg-gray-800 p-3 text-xs" data-testid="public-key">
          {key.publicKeyPem}
        </pre>
      </section>
    </div>
  );
}
