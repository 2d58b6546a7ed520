"use client";

import { addMemberAction } from "@/app/admin/groups/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Button } from "@/components/ui/button";

export function AddMemberForm({ groupId }: { groupId: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(addMemberAction);
  const success = result?.ok
    ? result.data.added
      ? `Added ${result.data.email} to the group.`
      : `${result.data.email} is already a member.`
    : undefined;
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="add-member-form"
    >
      <FormError result={result} fields={["email"]} />
      <FormSuccess message={success} />
      <input type="hidden" name="groupId" value={groupId} />
      <TextField
        name="email"
        label="Email of the user to add"
        type="email"
        autoComplete="off"
        required
        error={fieldError(result, "email")}
      />
      <Button type="submit" disabled={pending} data-testid="add-member-submit">
        {pending ? "Adding…" : "Add member"}
      </Button>
    </form>
  );
}
