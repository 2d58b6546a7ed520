"use client";

import { updateCollectionAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";

export function EditCollectionForm({
  collectionId,
  name,
  description,
}: {
  collectionId: string;
  name: string;
  description: string;
}) {
  // Keep what was saved in the fields: the page re-renders with it as the defaults.
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(updateCollectionAction, {
    resetOnSuccess: false,
  });
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="edit-collection-form"
    >
      <FormError result={result} fields={["name", "description"]} />
      <FormSuccess message={result?.ok ? `Saved ${result.data.name}.` : undefined} testId="edit-collection-success" />
      <input type="hidden" name="collectionId" value={collectionId} />
      <TextField
        name="name"
        label="Name"
        autoComplete="off"
        required
        maxLength={120}
        defaultValue={name}
        error={fieldError(result, "name")}
      />
      <TextField
        name="description"
        label="Description"
        autoComplete="off"
        maxLength={2000}
        defaultValue={description}
        error={fieldError(result, "description")}
      />
      <Button type="submit" disabled={pending} data-testid="edit-collection-submit">
        {pending ? "Saving…" : "Save changes"}
      </Button>
    </form>
  );
}
