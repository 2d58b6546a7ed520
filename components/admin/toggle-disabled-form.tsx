"use client";

import { setDisabledAction } from "@/app/admin/users/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError, FormSuccess } from "@/components/ui/form-feedback";
import { dangerButtonClass, secondaryButtonClass } from "@/components/ui/styles";

/** Disables or re-enables sign-in. The server refuses to disable the last administrator or yourself. */
export function ToggleDisabledForm({ userId, disabled }: { userId: string; disabled: boolean }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(setDisabledAction, {
    resetOnSuccess: false,
  });
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      className="space-y-3"
      data-testid="toggle-disabled-form"
    >
      <FormError result={result} />
      <FormSuccess
        message={result?.ok ? (result.data.disabled ? "Account disabled." : "Account enabled.") : undefined}
      />
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="disabled" value={disabled ? "false" : "true"} />
      <button
        type="submit"
        className={disabled ? secondaryButtonClass : dangerButtonClass}
        disabled={pending}
        data-testid="toggle-disabled"
      >
        {disabled ? "Enable account" : "Disable account"}
      </button>
    </form>
  );
}
