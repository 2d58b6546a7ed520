import type { Metadata } from "next";
import { formatUtc } from "@/components/ui/date-time";
import { h1Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { REVIEW_REASON_LABELS, REVIEW_REASONS } from "@/lib/review/reasons";
import { listReviewQueue, parseReviewQueueFilters, readReviewQueue, type ReviewQueueFilters } from "@/lib/review/queue";
import { RowHeader, Table, Td, Th } from "@/components/ui/table";
import { Label, Select } from "@/components/ui/field";
import { Button } from "@/components/ui/button";
import { TextLink } from "@/components/ui/text-link";

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
        <TextLink href="/compliance">Audit log</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`}>Review queue</h1>
      <p className="mt-2 text-sm text-gray-800 dark:text-gray-200">
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
          <Label htmlFor="r-status">Status</Label>
          <Select className="mt-1" id="r-status" name="status" defaultValue={filters.status}>
            {Object.entries(STATUS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        </div>
        <div>
          <Label htmlFor="r-reason">Reason</Label>
          <Select className="mt-1" id="r-reason" name="reason" defaultValue={filters.reason ?? ""}>
            <option value="">Any</option>
            {REVIEW_REASONS.map((r) => (
              <option key={r} value={r}>
                {REVIEW_REASON_LABELS[r]}
              </option>
            ))}
          </Select>
        </div>
        <Button type="submit" data-testid="review-apply-filters">
          Filter
        </Button>
      </form>
      {error ? (
        <p
          role="alert"
          className="mt-3 rounded-md border border-red-700 dark:border-red-400 bg-red-50 dark:bg-red-950 px-3 py-2 text-sm text-red-900 dark:text-red-200"
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
            <Table data-testid="review-table">
              <thead>
                <tr>
                  <Th>#</Th>
                  <Th>Flagged</Th>
                  <Th>Question</Th>
                  <Th>Asked by</Th>
                  <Th>Reasons</Th>
                  <Th>Status</Th>
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
                    <RowHeader>
                      <TextLink href={`/compliance/review/${item.id}`} data-testid="review-item-link">
                        #{item.number}
                      </TextLink>
                    </RowHeader>
                    <Td className="whitespace-nowrap">
                      <time dateTime={item.createdAt}>{formatUtc(new Date(item.createdAt))}</time>
                    </Td>
                    <Td data-testid="review-question">
                      {item.question ?? (
                        <span className="text-gray-700 dark:text-gray-300">
                          (the conversation was deleted; the audit record remains)
                        </span>
                      )}
                    </Td>
                    <Td>{item.asker.email ?? "(deleted user)"}</Td>
                    <Td data-testid="review-reasons">
                      {item.reasons.map((r) => REVIEW_REASON_LABELS[r]).join(", ")}
                      {item.flagCount > item.reasons.length ? (
                        <span className="text-gray-700 dark:text-gray-300"> ({item.flagCount} flags)</span>
                      ) : null}
                    </Td>
                    <Td data-testid="review-status">
                      {item.status}
                      {item.resolution ? `: ${item.resolution}` : ""}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </div>
        )}
        {page.nextBefore ? (
          <nav aria-label="Pages" className="text-sm">
            <TextLink
              href={`/compliance/review?${query({ before: String(page.nextBefore) })}`}
              data-testid="review-older"
            >
              Older items
            </TextLink>
          </nav>
        ) : null}
      </section>
    </div>
  );
}
