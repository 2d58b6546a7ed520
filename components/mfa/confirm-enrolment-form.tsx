"use client";

import type { ReactNode } from "react";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { buttonClass } from "@/components/ui/styles";
import type { ActionResult } from "@/lib/auth/guards";
import { CodeField } from "./code-field";
import { RecoveryCodes } from "./recovery-codes";

type ConfirmAction = (
  previous: ActionResult<{ recoveryCodes: string[] }> | null,
  formData: FormData,
) => Promise<ActionResult<{ recoveryCodes: string[] }>>;

/**
 * The last step of setting up: a code from the app proves it holds the secret. On success the
 * secret (`children`: the QR code and its text) leaves the page and the recovery codes take its place.
 */
export function ConfirmEnrolmentForm({
  action,
  continueHref,
  continueLabel,
  children,
}: {
  action: ConfirmAction;
  continueHref: string;
  continueLabel: string;
  children: ReactNode;
}) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(action);
  if (result?.ok) {
    return (
      <RecoveryCodes codes={result.data.recoveryCodes} continueHref={continueHref} continueLabel={continueLabel} />
    );
  }
  return (
    <div className="space-y-4">
      {children}
      <form
        ref={formRef}
        action={formAction}
        onSubmit={onSubmit}
        noValidate
        className="max-w-sm space-y-4"
        data-testid="mfa-confirm-form"
      >
        <FormError result={result} />
        <CodeField label="Code from your app" hint="The six digits your authenticator app shows for this account." />
        <button type="submit" className={buttonClass} disabled={pending} data-testid="mfa-confirm-submit">
          {pending ? "Checking…" : "Turn on two-step sign-in"}
        </button>
      </form>
    </div>
  );
}
