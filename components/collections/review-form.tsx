"use client";

import { reviewVersionAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";

/** Release a quarantined version into search, or reject it; the note is kept with the decision. */
export function ReviewForm({ versionId, name }: { versionId: string; name: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(reviewVersionAction);
  const done = result?.ok
    ? result.data.decision === "release"
      ? `${name} was released and is being indexed.`
      : `${name} was rejected.`
    : undefined;
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      className="max-w-lg space-y-2"
      data-testid={`review-form-${name}`}
    >
      <FormError result={result} fields={["note"]} />
      <FormSuccess message={done} testId="review-success" />
      <input type="hidden" name="versionId" value={versionId} />
      <TextField
        name="note"
        label="Note (kept with the decision)"
        autoComplete="off"
        maxLength={2000}
        error={fieldError(result, "note")}
      />
      <div className="flex flex-wrap gap-2">
        <Button
          variant="secondary"
          type="submit"
          name="decision"
          value="release"
          disabled={pending}
          data-testid="review-release"
        >
          Release into search
        </Button>
        <Button
          variant="danger"
          type="submit"
          name="decision"
          value="reject"
          disabled={pending}
          data-testid="review-reject"
        >
          Reject
        </Button>
      </div>
    </form>
  );
}
