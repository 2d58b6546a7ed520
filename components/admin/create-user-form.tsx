"use client";

import { createUserAction } from "@/app/admin/users/actions";
import type { Role } from "@/db/schema";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";
import { RoleCheckboxes } from "./role-checkboxes";
import { Button } from "@/components/ui/button";

const FIELDS = ["email", "name", "password", "roles"];

export function CreateUserForm({ roles }: { roles: readonly Role[] }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(createUserAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="create-user-form"
    >
      <FormError result={result} fields={FIELDS} />
      <FormSuccess message={result?.ok ? `Created the account for ${result.data.email}.` : undefined} />
      <TextField
        name="email"
        label="Email"
        type="email"
        autoComplete="off"
        required
        error={fieldError(result, "email")}
      />
      <TextField name="name" label="Name" autoComplete="off" required error={fieldError(result, "name")} />
      <TextField
        name="password"
        label="Initial password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${PASSWORD_MIN_LENGTH} characters. Give it to the person by a separate, secure channel.`}
        error={fieldError(result, "password")}
      />
      <RoleCheckboxes idPrefix="create-user" roles={roles} checked={["employee"]} error={fieldError(result, "roles")} />
      <Button type="submit" disabled={pending} data-testid="create-user-submit">
        {pending ? "Creating…" : "Create user"}
      </Button>
    </form>
  );
}
