"use client";

import { updateRolesAction } from "@/app/admin/users/[id]/actions";
import type { Role } from "@/db/schema";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { RoleCheckboxes } from "./role-checkboxes";
import { Button } from "@/components/ui/button";

export function UserRolesForm({
  userId,
  roles,
  current,
}: {
  userId: string;
  roles: readonly Role[];
  current: readonly Role[];
}) {
  // Keep the boxes as saved: after a success the page re-renders with the new roles as defaults.
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(updateRolesAction, {
    resetOnSuccess: false,
  });
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="space-y-4"
      data-testid="user-roles-form"
    >
      <FormError result={result} fields={["roles"]} />
      <FormSuccess message={result?.ok ? "Roles saved." : undefined} />
      <input type="hidden" name="userId" value={userId} />
      <RoleCheckboxes idPrefix="edit-user" roles={roles} checked={current} error={fieldError(result, "roles")} />
      <Button type="submit" disabled={pending} data-testid="save-roles">
        {pending ? "Saving…" : "Save roles"}
      </Button>
    </form>
  );
}
