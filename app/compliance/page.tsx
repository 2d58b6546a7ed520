import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "@/components/compliance/filter-form";
import { VerifyChainForm } from "@/components/compliance/verify-chain-form";
import { formatUtc } from "@/components/ui/date-time";
import {
  h1Class,
  h2Class,
  linkClass,
  secondaryButtonClass,
  sectionClass,
  tableClass,
  tdClass,
  thClass,
} from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { filtersToSearchParams, parseAuditFilters, type AuditFilters } from "@/lib/audit/filters";
import { listEventsPage, readAuditLog } from "@/lib/audit/service";
import { listCollectionNames } from "@/lib/collections/listing";
import { countOpenReviewItems } from "@/lib/review/queue";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { requireRole } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

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
          <Link href="/compliance/review" className={linkClass} data-testid="review-queue-link">
            Review queue ({waiting} waiting)
          </Link>
          <Link href="/compliance/retention" className={linkClass} data-testid="retention-link">
            Retention and legal holds
          </Link>
        </div>
      </div>
      <p className="mt-2 text-sm text-gray-800">
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
            className="rounded-md border border-red-700 bg-red-50 px-3 py-2 text-sm text-red-900"
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
            <table className={tableClass} data-testid="events-table">
              <thead>
                <tr>
                  <th scope="col" className={thClass}>
                    #
                  </th>
                  <th scope="col" className={thClass}>
                    Time
                  </th>
                  <th scope="col" className={thClass}>
                    Type
                  </th>
                  <th scope="col" className={thClass}>
                    Who
                  </th>
                  <th scope="col" className={thClass}>
                    What
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.events.map((e) => (
                  <tr key={e.seq} data-testid="event-row" data-type={e.type}>
                    <th scope="row" className={`${tdClass} font-normal`}>
                      <Link
                        href={`/compliance/events/${e.seq}`}
                        className={linkClass}
                        data-testid={`event-link-${e.seq}`}
                      >
                        {e.seq}
                      </Link>
                    </th>
                    <td className={`${tdClass} whitespace-nowrap`}>
                      <time dateTime={e.at}>{formatUtc(new Date(e.at))}</time>
                    </td>
                    <td className={tdClass} data-testid="event-type">
                      {e.type}
                    </td>
                    <td className={tdClass} data-testid="event-actor">
                      {e.actorEmail ?? (typeof e.payload.via === "string" ? `(${e.payload.via})` : "(system)")}
                    </td>
                    <td className={tdClass} data-testid="event-summary">
                      {e.summary}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav aria-label="Pages" className="flex gap-4 text-sm">
          {params.get("before") ? (
            <Link href={`/compliance?${query.toString()}`} className={linkClass}>
              Newest
            </Link>
          ) : null}
          {page.nextBefore ? (
            <Link
              href={`/compliance?${new URLSearchParams([...query.entries(), ["before", String(page.nextBefore)]]).toString()}`}
              className={linkClass}
              data-testid="older-page"
            >
              Older events
            </Link>
          ) : null}
        </nav>
      </section>

      <section aria-labelledby="integrity-heading" className={sectionClass}>
        <h2 id="integrity-heading" className={h2Class}>
          Integrity
        </h2>
        <VerifyChainForm />
        <p className="text-sm text-gray-800">
          Exports are signed with this Ed25519 key. Check one anywhere with{" "}
          <code className="rounded bg-gray-100 px-1">npm run cli -- audit verify-export FILE --public-key KEY.pem</code>
          .
        </p>
        <p className="text-sm">
          Fingerprint: <code data-testid="key-fingerprint">{key.fingerprint}</code>
        </p>
        <pre className="overflow-x-auto rounded-md bg-gray-100 p-3 text-xs" data-testid="public-key">
          {key.publicKeyPem}
        </pre>
      </section>
    </div>
  );
}
