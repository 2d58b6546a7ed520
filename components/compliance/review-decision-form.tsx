"use client";

import { decideReviewAction } from "@/app/compliance/review/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { buttonClass, dangerButtonClass, secondaryButtonClass } from "@/components/ui/styles";
import { REVIEW_DECISION_LABELS, type ReviewDecision, type ReviewStatus } from "@/lib/review/reasons";
import { Label } from "@/components/ui/field";

const DONE: Record<ReviewDecision, string> = {
  correct: "Resolved: the answer is correct.",
  incorrect: "Resolved: the answer is incorrect.",
  escalate: "Escalated.",
  reopen: "Reopened.",
};

/**
 * The reviewer's decision. Open and escalated items can be resolved as correct or incorrect (with
 * a note saying what is wrong); open and resolved ones can be escalated; resolved and escalated
 * ones reopened. Every decision is kept in the item's history.
 */
export function ReviewDecisionForm({ itemId, status }: { itemId: string; status: ReviewStatus }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(decideReviewAction);
  const noteError = fieldError(result, "note");
  const choice = (decision: ReviewDecision, className: string) => (
    <button
      type="submit"
      name="decision"
      value={decision}
      className={className}
      disabled={pending}
      data-testid={`review-decide-${decision}`}
    >
      {REVIEW_DECISION_LABELS[decision]}
    </button>
  );
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-2xl space-y-3"
      data-testid="review-decision-form"
    >
      <FormError result={result} fields={["note"]} />
      <FormSuccess message={result?.ok ? DONE[result.data.decision] : undefined} testId="review-decision-success" />
      <input type="hidden" name="itemId" value={itemId} />
      <div>
        <Label htmlFor="review-note">Note</Label>
        <textarea
          id="review-note"
          name="note"
          rows={3}
          maxLength={2000}
          aria-describedby={noteError ? "review-note-hint review-note-error" : "review-note-hint"}
          aria-invalid={noteError ? true : undefined}
          className="mt-1 block w-full rounded-md border border-gray-400 dark:border-gray-600 bg-white dark:bg-gray-900 px-3 py-2 text-sm text-gray-900 dark:text-gray-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400 aria-invalid:border-red-700 dark:aria-invalid:border-red-400"
          data-testid="review-note"
        />
        <p id="review-note-hint" className="mt-1 text-sm text-gray-700 dark:text-gray-300">
          Required when the answer is incorrect: say what is wrong. Kept with the decision in the audit trail.
        </p>
        <FieldError id="review-note-error" message={noteError} />
      </div>
      <div className="flex flex-wrap gap-2">
        {status !== "resolved" ? (
          <>
            {choice("correct", buttonClass)}
            {choice("incorrect", dangerButtonClass)}
          </>
        ) : null}
        {status !== "escalated" ? choice("escalate", secondaryButtonClass) : null}
        {status !== "open" ? choice("reopen", secondaryButtonClass) : null}
      </div>
    </form>
  );
}
