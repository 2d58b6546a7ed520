"use client";

import { createGroupAction } from "@/app/admin/groups/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";

export function CreateGroupForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(createGroupAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="create-group-form"
    >
      <FormError result={result} fields={["name", "description"]} />
      <FormSuccess message={result?.ok ? `Created the group ${result.data.name}.` : undefined} />
      <TextField
        name="name"
        label="Name"
        autoComplete="off"
        required
        maxLength={100}
        hint="Letters, digits, spaces, '.', '_' and '-'; for example Cardiology or Risk-EU."
        error={fieldError(result, "name")}
      />
      <TextField
        name="description"
        label="Description (optional)"
        autoComplete="off"
        maxLength={1000}
        error={fieldError(result, "description")}
      />
      <Button type="submit" disabled={pending} data-testid="create-group-submit">
        {pending ? "Creating…" : "Create group"}
      </Button>
    </form>
  );
}
