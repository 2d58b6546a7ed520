"use client";

import { useState } from "react";
import { ThumbDownIcon, ThumbUpIcon } from "@/components/ui/icons";
import { REVIEW_REASON_LABELS, USER_REVIEW_REASONS, type UserReviewReason } from "@/lib/review/reasons";
import { Button } from "@/components/ui/button";

type Feedback = { rating: 1 | -1; comment: string; reason: UserReviewReason | null };

/**
 * Thumbs up or down on an answer, with an optional comment; choosing again replaces the rating.
 * A thumbs down may name what was wrong: that sends the answer to a compliance reviewer.
 */
export function FeedbackControls({
  messageId,
  initial,
}: {
  messageId: string;
  initial: { rating: number; comment: string; reason: UserReviewReason | null } | null;
}) {
  const [saved, setSaved] = useState<Feedback | null>(
    initial ? { rating: initial.rating === 1 ? 1 : -1, comment: initial.comment, reason: initial.reason } : null,
  );
  const [draft, setDraft] = useState<Feedback | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit() {
    if (!draft) return;
    setPending(true);
    setError(null);
    try {
      const body = {
        rating: draft.rating,
        comment: draft.comment,
        ...(draft.rating === -1 && draft.reason ? { reason: draft.reason } : {}),
      };
      const res = await fetch(`/api/messages/${messageId}/feedback`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) {
        setError(((await res.json()) as { error: { message: string } }).error.message);
        return;
      }
      setSaved({ ...draft, reason: draft.rating === -1 ? draft.reason : null });
      setDraft(null);
    } catch (err) {
      setError(`Feedback could not be sent: ${(err as Error).message}`);
    } finally {
      setPending(false);
    }
  }

  const thumb = (rating: 1 | -1, label: string, icon: React.ReactNode, testId: string) => {
    const active = (draft?.rating ?? saved?.rating) === rating;
    return (
      <button
        type="button"
        aria-pressed={active}
        aria-label={label}
        onClick={() =>
          setDraft({
            rating,
            comment: draft?.comment ?? saved?.comment ?? "",
            reason: rating === -1 ? (draft?.reason ?? saved?.reason ?? null) : null,
          })
        }
        className="inline-flex items-center rounded px-1.5 py-1 text-gray-800 dark:text-gray-200 hover:bg-gray-100 dark:hover:bg-gray-800 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 aria-pressed:bg-blue-100 dark:aria-pressed:bg-blue-900"
        data-testid={testId}
      >
        {icon}
      </button>
    );
  };

  return (
    <div className="flex flex-wrap items-center gap-2 text-xs text-gray-800 dark:text-gray-200">
      <span>Was this helpful?</span>
      {thumb(1, "Helpful", <ThumbUpIcon />, "feedback-up")}
      {thumb(-1, "Not helpful", <ThumbDownIcon />, "feedback-down")}
      {saved && !draft ? (
        <span className="text-green-800 dark:text-green-300" data-testid="feedback-saved">
          {saved.reason
            ? "Thanks, your feedback was saved and a reviewer will look at this answer."
            : "Thanks, your feedback was saved."}
        </span>
      ) : null}
      {draft ? (
        <div className="flex w-full flex-col gap-2">
          {draft.rating === -1 ? (
            <fieldset data-testid="feedback-reasons">
              <legend className="text-xs text-gray-900 dark:text-gray-100">
                What was wrong? Choosing a reason sends the answer to a reviewer.
              </legend>
              <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
                {USER_REVIEW_REASONS.map((r) => (
                  <label key={r} className="flex items-center gap-1 text-xs text-gray-900 dark:text-gray-100">
                    <input
                      type="radio"
                      name={`feedback-reason-${messageId}`}
                      value={r}
                      checked={draft.reason === r}
                      onChange={() => setDraft({ ...draft, reason: r })}
                      className="h-3.5 w-3.5 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                      data-testid={`feedback-reason-${r}`}
                    />
                    {REVIEW_REASON_LABELS[r]}
                  </label>
                ))}
              </div>
            </fieldset>
          ) : null}
          <div className="flex flex-wrap items-end gap-2">
            <label className="flex-1 text-xs text-gray-900 dark:text-gray-100">
              {draft.rating === -1
                ? draft.reason === "other"
                  ? "What was wrong? (required for Other)"
                  : "What was wrong? (optional)"
                : "Comment (optional)"}
              <textarea
                value={draft.comment}
                onChange={(e) => setDraft({ ...draft, comment: e.target.value })}
                rows={2}
                maxLength={2000}
                className="mt-1 block w-full rounded-md border border-gray-400 dark:border-gray-600 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                data-testid="feedback-comment"
              />
            </label>
            <Button variant="secondary" type="button" onClick={submit} disabled={pending} data-testid="feedback-submit">
              Send feedback
            </Button>
            <button
              type="button"
              onClick={() => setDraft(null)}
              className="text-xs underline"
              data-testid="feedback-cancel"
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="w-full text-red-800 dark:text-red-300" data-testid="feedback-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
