"use client";

import { removeGrantAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { Button } from "@/components/ui/button";

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
      <Button
        variant="danger"
        type="submit"
        disabled={pending}
        aria-label={`Remove access for ${grantee}`}
        data-testid={testId}
      >
        {pending ? "Removing…" : "Remove"}
      </Button>
    </form>
  );
}
