"use client";

import { useState } from "react";
import { ThumbDownIcon, ThumbUpIcon } from "@/components/ui/icons";
import { secondaryButtonClass } from "@/components/ui/styles";

/** Thumbs up or down on an answer, with an optional comment; choosing again replaces the rating. */
export function FeedbackControls({ messageId, initial }: { messageId: string; initial: { rating: number; comment: string } | null }) {
  const [saved, setSaved] = useState(initial);
  const [draft, setDraft] = useState<{ rating: 1 | -1; comment: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit() {
    if (!draft) return;
    setPending(true);
    setError(null);
    try {
      const res = await fetch(`/api/messages/${messageId}/feedback`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(draft),
      });
      if (!res.ok) {
        setError(((await res.json()) as { error: { message: string } }).error.message);
        return;
      }
      setSaved(draft);
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
        onClick={() => setDraft({ rating, comment: draft?.comment ?? saved?.comment ?? "" })}
        className="inline-flex items-center rounded px-1.5 py-1 text-gray-800 hover:bg-gray-100 focus-visible:outline-2 focus-visible:outline-blue-700 aria-pressed:bg-blue-100"
        data-testid={testId}
      >
        {icon}
      </button>
    );
  };

  return (
    <div className="flex flex-wrap items-center gap-2 text-xs text-gray-800">
      <span>Was this helpful?</span>
      {thumb(1, "Helpful", <ThumbUpIcon />, "feedback-up")}
      {thumb(-1, "Not helpful", <ThumbDownIcon />, "feedback-down")}
      {saved && !draft ? (
        <span className="text-green-800" data-testid="feedback-saved">
          Thanks, your feedback was saved.
        </span>
      ) : null}
      {draft ? (
        <div className="flex w-full flex-wrap items-end gap-2">
          <label className="flex-1 text-xs text-gray-900">
            {draft.rating === -1 ? "What was wrong? (optional)" : "Comment (optional)"}
            <textarea
              value={draft.comment}
              onChange={(e) => setDraft({ ...draft, comment: e.target.value })}
              rows={2}
              maxLength={2000}
              className="mt-1 block w-full rounded-md border border-gray-400 px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-blue-700"
              data-testid="feedback-comment"
            />
          </label>
          <button type="button" onClick={submit} disabled={pending} className={secondaryButtonClass} data-testid="feedback-submit">
            Send feedback
          </button>
          <button type="button" onClick={() => setDraft(null)} className="text-xs underline" data-testid="feedback-cancel">
            Cancel
          </button>
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="w-full text-red-800">
          {error}
        </p>
      ) : null}
    </div>
  );
}
