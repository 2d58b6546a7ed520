import type { Metadata } from "next";
import Link from "next/link";
import { formatUtc } from "@/components/ui/date-time";
import {
  buttonClass,
  h1Class,
  inputClass,
  labelClass,
  linkClass,
  sectionClass,
  tableClass,
  tdClass,
  thClass,
} from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { REVIEW_REASON_LABELS, REVIEW_REASONS } from "@/lib/review/reasons";
import { listReviewQueue, parseReviewQueueFilters, readReviewQueue, type ReviewQueueFilters } from "@/lib/review/queue";

export const metadata: Metadata = { title: "Review queue" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const STATUS_LABELS: Record<ReviewQueueFilters["status"], string> = {
  open: "Waiting (open and escalated)",
  escalated: "Escalated",
  resolved: "Resolved",
  all: "All",
};

export default async function ReviewQueuePage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireRole("compliance");
  const raw = await searchParams;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") params.set(k, v);
  let filters: ReviewQueueFilters = { status: "open", limit: 50 };
  let error: string | null = null;
  let page: Awaited<ReturnType<typeof listReviewQueue>> = { items: [], nextBefore: null };
  try {
    filters = parseReviewQueueFilters(params);
    page = await readReviewQueue({ actor, db: await getDb() }, filters);
  } catch (err) {
    if (!(err instanceof AppError) || !err.expose) throw err;
    error = err.message;
  }
  const query = (extra: Record<string, string>) =>
    new URLSearchParams(
      Object.entries({ status: filters.status, ...(filters.reason ? { reason: filters.reason } : {}), ...extra }),
    ).toString();

  return (
    <div>
      <p className="text-sm">
        <Link href="/compliance" className={linkClass}>
          Audit log
        </Link>
      </p>
      <h1 className={`${h1Class} mt-2`}>Review queue</h1>
      <p className="mt-2 text-sm text-gray-800">
        Answers an asker marked as wrong (a thumbs down with a reason) and answers the guards flagged: personal data
        redacted from the answer, possible prompt injection in the question, or most of the answer weakly supported by
        its sources. One item per answer.
      </p>

      <form
        method="get"
        action="/compliance/review"
        className="mt-4 flex flex-wrap items-end gap-3"
        data-testid="review-filters"
      >
        <div>
          <label htmlFor="r-status" className={labelClass}>
            Status
          </label>
          <select id="r-status" name="status" defaultValue={filters.status} className={`mt-1 ${inputClass}`}>
            {Object.entries(STATUS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="r-reason" className={labelClass}>
            Reason
          </label>
          <select id="r-reason" name="reason" defaultValue={filters.reason ?? ""} className={`mt-1 ${inputClass}`}>
            <option value="">Any</option>
            {REVIEW_REASONS.map((r) => (
              <option key={r} value={r}>
                {REVIEW_REASON_LABELS[r]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass} data-testid="review-apply-filters">
          Filter
        </button>
      </form>
      {error ? (
        <p
          role="alert"
          className="mt-3 rounded-md border border-red-700 bg-red-50 px-3 py-2 text-sm text-red-900"
          data-testid="review-filter-error"
        >
          {error}
        </p>
      ) : null}

      <section aria-labelledby="items-heading" className={sectionClass}>
        <h2 id="items-heading" className="sr-only">
          Items
        </h2>
        {page.items.length === 0 ? (
          <p className="text-sm" data-testid="review-empty">
            No answers match these filters.
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className={tableClass} data-testid="review-table">
              <thead>
                <tr>
                  <th scope="col" className={thClass}>
                    #
                  </th>
                  <th scope="col" className={thClass}>
                    Flagged
                  </th>
                  <th scope="col" className={thClass}>
                    Question
                  </th>
                  <th scope="col" className={thClass}>
                    Asked by
                  </th>
                  <th scope="col" className={thClass}>
                    Reasons
                  </th>
                  <th scope="col" className={thClass}>
                    Status
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((item) => (
                  <tr
                    key={item.id}
                    data-testid="review-row"
                    data-status={item.status}
                    data-reasons={item.reasons.join(" ")}
                  >
                    <th scope="row" className={`${tdClass} font-normal`}>
                      <Link href={`/compliance/review/${item.id}`} className={linkClass} data-testid="review-item-link">
                        #{item.number}
                      </Link>
                    </th>
                    <td className={`${tdClass} whitespace-nowrap`}>
                      <time dateTime={item.createdAt}>{formatUtc(new Date(item.createdAt))}</time>
                    </td>
                    <td className={tdClass} data-testid="review-question">
                      {item.question ?? (
                        <span className="text-gray-700">(the conversation was deleted; the audit record remains)</span>
                      )}
                    </td>
                    <td className={tdClass}>{item.asker.email ?? "(deleted user)"}</td>
                    <td className={tdClass} data-testid="review-reasons">
                      {item.reasons.map((r) => REVIEW_REASON_LABELS[r]).join(", ")}
                      {item.flagCount > item.reasons.length ? (
                        <span className="text-gray-700"> ({item.flagCount} flags)</span>
                      ) : null}
                    </td>
                    <td className={tdClass} data-testid="review-status">
                      {item.status}
                      {item.resolution ? `: ${item.resolution}` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page.nextBefore ? (
          <nav aria-label="Pages" className="text-sm">
            <Link
              href={`/compliance/review?${query({ before: String(page.nextBefore) })}`}
              className={linkClass}
              data-testid="review-older"
            >
              Older items
            </Link>
          </nav>
        ) : null}
      </section>
    </div>
  );
}
