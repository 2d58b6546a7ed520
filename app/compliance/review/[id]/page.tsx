import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AnswerRecord } from "@/components/compliance/answer-record";
import { ReviewDecisionForm } from "@/components/compliance/review-decision-form";
import { formatUtc } from "@/components/ui/date-time";
import { h1Class, h2Class, sectionClass } from "@/components/ui/styles";
import { getDb } from "@/lib/server/db";
import { requireRole } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { describePiiCounts, type PiiType } from "@/lib/privacy/pii-types";
import { isReviewReason, REVIEW_DECISION_LABELS, REVIEW_REASON_LABELS } from "@/lib/review/reasons";
import { readReviewItem, type ReviewItemDetail } from "@/lib/review/queue";
import { TextLink } from "@/components/ui/text-link";

export const metadata: Metadata = { title: "Review item" };

function flagDetails(details: Record<string, unknown>): string {
  if (details.kinds && typeof details.kinds === "object" && !Array.isArray(details.kinds))
    return describePiiCounts(details.kinds as Partial<Record<PiiType, number>>);
  if (Array.isArray(details.kinds)) return (details.kinds as string[]).map((k) => k.replace(/_/g, " ")).join(", ");
  if (typeof details.weak === "number")
    return `${details.weak} of ${String(details.cited)} cited sentences weakly supported`;
  return "";
}

export default async function ReviewItemPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireRole("compliance");
  const { id } = await params;
  let detail: ReviewItemDetail;
  try {
    detail = await readReviewItem({ actor, db: await getDb() }, id);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  }
  const { item, flags, feedback, history, answer, answerSeq } = detail;

  return (
    <div>
      <p className="text-sm">
        <TextLink href="/compliance/review">Review queue</TextLink>
      </p>
      <h1 className={`${h1Class} mt-2`} data-testid="review-item-title">
        Review #{item.number}
      </h1>
      <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-semibold">Status</dt>
        <dd data-testid="review-item-status">
          {item.status}
          {item.resolution ? `: the answer is ${item.resolution}` : ""}
        </dd>
        <dt className="font-semibold">Asked by</dt>
        <dd>{item.asker.email ?? "(deleted user)"}</dd>
        <dt className="font-semibold">First flagged</dt>
        <dd>
          <time dateTime={item.createdAt}>{formatUtc(new Date(item.createdAt))}</time>
        </dd>
        <dt className="font-semibold">Audit record</dt>
        <dd>
          {answerSeq ? (
            <TextLink href={`/compliance/events/${answerSeq}`} data-testid="review-audit-link">
              Event {answerSeq}
            </TextLink>
          ) : (
            "none"
          )}
        </dd>
      </dl>

      <section aria-labelledby="flags-heading" className={sectionClass}>
        <h2 id="flags-heading" className={h2Class}>
          Why it is here
        </h2>
        <ul className="list-disc space-y-1 pl-6 text-sm" data-testid="review-flags">
          {flags.map((f, i) => (
            <li key={i} data-testid="review-flag" data-reason={f.reason}>
              <span className="font-medium">{REVIEW_REASON_LABELS[f.reason]}</span> —{" "}
              {f.source === "user" ? "the asker's feedback" : "flagged by the guards"}
              {flagDetails(f.details) ? ` (${flagDetails(f.details)})` : ""},{" "}
              <time dateTime={f.at}>{formatUtc(new Date(f.at))}</time>
            </li>
          ))}
        </ul>
        {feedback.length > 0 ? (
          <div>
            <h3 className="text-sm font-semibold">The asker&apos;s feedback</h3>
            <ul className="mt-1 space-y-1 text-sm" data-testid="review-feedback">
              {feedback.map((f) => (
                <li key={f.seq} className="rounded-md border border-gray-300 dark:border-gray-700 px-3 py-2">
                  {f.rating === 1 ? "Helpful" : "Not helpful"}
                  {f.reason ? ` — ${isReviewReason(f.reason) ? REVIEW_REASON_LABELS[f.reason] : f.reason}` : ""}
                  {f.comment ? (
                    <q className="mt-1 block" data-testid="review-feedback-comment">
                      {f.comment}
                    </q>
                  ) : null}
                  <span className="block text-xs text-gray-700 dark:text-gray-300">
                    <time dateTime={f.at}>{formatUtc(new Date(f.at))}</time>
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>

      {answer ? (
        <AnswerRecord answer={answer} />
      ) : (
        <p className="mt-8 text-sm" data-testid="review-no-record">
          No audit record of this answer was found.
        </p>
      )}

      <section aria-labelledby="decision-heading" className={sectionClass}>
        <h2 id="decision-heading" className={h2Class}>
          Decision
        </h2>
        {history.length > 0 ? (
          <ol className="space-y-1 text-sm" data-testid="review-history">
            {history.map((h, i) => (
              <li key={i} data-testid="review-history-entry" data-decision={h.decision}>
                <time dateTime={h.at}>{formatUtc(new Date(h.at))}</time>: {REVIEW_DECISION_LABELS[h.decision]} by{" "}
                {h.by ?? "the system"} → {h.statusAfter}
                {h.note ? <q className="ml-1">{h.note}</q> : null}
              </li>
            ))}
          </ol>
        ) : (
          <p className="text-sm">No decision yet.</p>
        )}
        <ReviewDecisionForm itemId={item.id} status={item.status} />
      </section>
    </div>
  );
}
