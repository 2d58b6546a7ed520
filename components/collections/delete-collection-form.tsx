"use client";

import { deleteCollectionAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";

/** Typing the exact name is the confirmation; on success the server opens the collections list. */
export function DeleteCollectionForm({
  collectionId,
  name,
  documentCount,
}: {
  collectionId: string;
  name: string;
  documentCount: number;
}) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(deleteCollectionAction, {
    resetOnSuccess: false,
  });
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="delete-collection-form"
    >
      <p className="text-sm text-gray-900 dark:text-gray-100">
        Deleting removes the collection, its {documentCount} document{documentCount === 1 ? "" : "s"}, their passages in
        the search index, their stored files and every grant. This cannot be undone.
      </p>
      <FormError result={result} fields={["confirm"]} testId="delete-collection-error" />
      <input type="hidden" name="collectionId" value={collectionId} />
      <TextField
        name="confirm"
        label={`Type the collection's name, ${name}, to confirm`}
        autoComplete="off"
        required
        error={fieldError(result, "confirm")}
      />
      <Button variant="danger" type="submit" disabled={pending} data-testid="delete-collection-submit">
        {pending ? "Deleting…" : "Delete this collection"}
      </Button>
    </form>
  );
}
