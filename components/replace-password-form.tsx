"use client";

import { replaceOneTimePasswordAction } from "@/app/login/password/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { NewPasswordFields } from "./profile/change-password-form";
import { Button } from "@/components/ui/button";

export function ReplacePasswordForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(replaceOneTimePasswordAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="space-y-4"
      data-testid="replace-password-form"
    >
      <FormError result={result} fields={["newPassword", "confirmPassword"]} />
      <NewPasswordFields result={result} />
      <Button className="w-full" type="submit" disabled={pending} data-testid="replace-password-submit">
        {pending ? "Saving…" : "Save my password"}
      </Button>
    </form>
  );
}
