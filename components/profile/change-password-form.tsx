"use client";

import { changePasswordAction } from "@/app/profile/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";
import { Button } from "@/components/ui/button";

const FIELDS = ["currentPassword", "newPassword", "confirmPassword"];

export function ChangePasswordForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(changePasswordAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="change-password-form"
    >
      <FormError result={result} fields={FIELDS} />
      <TextField
        name="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        error={fieldError(result, "currentPassword")}
      />
      <NewPasswordFields result={result} />
      <Button type="submit" disabled={pending} data-testid="change-password-submit">
        {pending ? "Changing…" : "Change password"}
      </Button>
    </form>
  );
}

/** The new password twice, with the policy in the hint. */
export function NewPasswordFields({ result }: { result: Parameters<typeof fieldError>[0] }) {
  return (
    <>
      <TextField
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${PASSWORD_MIN_LENGTH} characters and hard to guess: several unrelated words work well. Common and leaked passwords are refused.`}
        error={fieldError(result, "newPassword")}
      />
      <TextField
        name="confirmPassword"
        label="New password again"
        type="password"
        autoComplete="new-password"
        required
        error={fieldError(result, "confirmPassword")}
      />
    </>
  );
}
