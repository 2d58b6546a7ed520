"use client";

import { disableMfaAction, regenerateRecoveryCodesAction, startMfaEnrolmentAction } from "@/app/profile/mfa-actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { CodeField } from "@/components/mfa/code-field";
import { RecoveryCodes } from "@/components/mfa/recovery-codes";
import { fieldError, FormError } from "@/components/ui/form-feedback";
import { buttonClass, dangerButtonClass, secondaryButtonClass } from "@/components/ui/styles";
import { TextField } from "@/components/ui/text-field";

// The profile's two-step sign-in controls; every one is checked again on the server.

export function StartMfaButton({ again = false }: { again?: boolean }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(startMfaEnrolmentAction);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2" data-testid="mfa-start-form">
      <FormError result={result} />
      <button
        type="submit"
        className={again ? secondaryButtonClass : buttonClass}
        disabled={pending}
        data-testid="mfa-start"
      >
        {pending ? "Preparing…" : again ? "Start again with a new key" : "Set up two-step sign-in"}
      </button>
    </form>
  );
}

export function RegenerateRecoveryCodesForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(regenerateRecoveryCodesAction);
  if (result?.ok) {
    return (
      <RecoveryCodes codes={result.data.recoveryCodes} continueHref="/profile" continueLabel="I have saved them" />
    );
  }
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-sm space-y-3"
      data-testid="mfa-regenerate-form"
    >
      <FormError result={result} />
      <CodeField label="Code from your app" hint="New codes replace every unused old one." />
      <button type="submit" className={secondaryButtonClass} disabled={pending} data-testid="mfa-regenerate-submit">
        {pending ? "Making codes…" : "Make new recovery codes"}
      </button>
    </form>
  );
}

export function DisableMfaForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(disableMfaAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-sm space-y-3"
      data-testid="mfa-disable-form"
    >
      <FormError result={result} fields={["password"]} />
      <TextField
        name="password"
        label="Your password"
        type="password"
        autoComplete="current-password"
        required
        error={fieldError(result, "password")}
      />
      <CodeField label="Code from your app, or a recovery code" />
      <button type="submit" className={dangerButtonClass} disabled={pending} data-testid="mfa-disable-submit">
        {pending ? "Turning off…" : "Turn off two-step sign-in"}
      </button>
    </form>
  );
}
