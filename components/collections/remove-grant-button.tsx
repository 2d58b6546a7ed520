"use client";

import { removeGrantAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { dangerButtonClass } from "@/components/ui/styles";

export function RemoveGrantButton({
  collectionId,
  grantId,
  grantee,
  testId,
}: {
  collectionId: string;
  grantId: string;
  grantee: string;
  testId: string;
}) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(removeGrantAction, {
    resetOnSuccess: false,
  });
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2">
      <FormError result={result} />
      <input type="hidden" name="collectionId" value={collectionId} />
      <input type="hidden" name="grantId" value={grantId} />
      <button
        type="submit"
        className={dangerButtonClass}
        disabled={pending}
        aria-label={`Remove access for ${grantee}`}
        data-testid={testId}
      >
        {pending ? "Removing…" : "Remove"}
      </button>
    </form>
  );
}
