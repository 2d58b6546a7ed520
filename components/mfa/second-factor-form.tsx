"use client";

import { passSecondFactorAction } from "@/app/login/mfa/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { buttonClass } from "@/components/ui/styles";
import { CodeField } from "./code-field";

/** The second step of signing in with a password. */
export function SecondFactorForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(passSecondFactorAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="space-y-4"
      data-testid="mfa-sign-in-form"
    >
      <FormError result={result} />
      <CodeField
        label="Authentication code"
        hint="The six digits your authenticator app shows now, or one of your recovery codes."
      />
      <button type="submit" className={`${buttonClass} w-full`} disabled={pending} data-testid="mfa-sign-in-submit">
        {pending ? "Checking…" : "Continue"}
      </button>
    </form>
  );
}
