"use client";

import { resetMfaAction } from "@/app/admin/users/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError, FormSuccess } from "@/components/ui/form-feedback";
import { dangerButtonClass } from "@/components/ui/styles";

/** Removes someone's second factor (a lost phone, no recovery codes left) and ends their sessions. */
export function ResetMfaForm({ userId }: { userId: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(resetMfaAction, {
    resetOnSuccess: false,
  });
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-3" data-testid="reset-mfa-form">
      <FormError result={result} />
      <FormSuccess
        message={
          result?.ok
            ? `Two-step sign-in is reset; ${result.data.sessionsEnded} session${result.data.sessionsEnded === 1 ? "" : "s"} ended.`
            : undefined
        }
      />
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className={dangerButtonClass} disabled={pending || result?.ok} data-testid="reset-mfa">
        {pending ? "Resetting…" : "Reset two-step sign-in"}
      </button>
    </form>
  );
}
