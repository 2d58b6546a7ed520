"use client";

import { createCollectionAction } from "@/app/collections/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";

/** On success the server opens the new collection's page, so there is no success message here. */
export function CreateCollectionForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(createCollectionAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="create-collection-form"
    >
      <FormError result={result} fields={["name", "description"]} />
      <TextField
        name="name"
        label="Name"
        autoComplete="off"
        required
        maxLength={120}
        hint="For example Clinical guidelines or Credit policy 2025."
        error={fieldError(result, "name")}
      />
      <TextField
        name="description"
        label="Description (optional)"
        autoComplete="off"
        maxLength={2000}
        hint="What the collection holds and who it is for."
        error={fieldError(result, "description")}
      />
      <Button type="submit" disabled={pending} data-testid="create-collection-submit">
        {pending ? "Creating…" : "Create collection"}
      </Button>
    </form>
  );
}
