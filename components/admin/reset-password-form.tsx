"use client";

import { resetPasswordAction } from "@/app/admin/users/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { Button } from "@/components/ui/button";

/** Resets someone's password; the one-time password is shown here once and never again. */
export function ResetPasswordForm({ userId }: { userId: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(resetPasswordAction, {
    resetOnSuccess: false,
  });
  return (
    <div className="space-y-3">
      {result?.ok ? (
        <div
          className="space-y-2 rounded-md border-2 border-amber-600 dark:border-amber-400 bg-amber-50 dark:bg-amber-950 p-4"
          data-testid="one-time-password-box"
        >
          <p className="text-sm text-gray-900 dark:text-gray-100">
            Give this one-time password to the person through a channel you trust. It is not shown again; it lets them
            choose their own password and nothing else.
          </p>
          <code
            data-testid="one-time-password"
            className="block break-all rounded border border-gray-400 dark:border-gray-600 bg-white dark:bg-gray-900 px-3 py-2 font-mono text-sm"
          >
            {result.data.oneTimePassword}
          </code>
        </div>
      ) : null}
      <form ref={formRef} action={formAction} onSubmit={onSubmit} data-testid="reset-password-form">
        <FormError result={result} />
        <input type="hidden" name="userId" value={userId} />
        <Button variant="danger" type="submit" disabled={pending} data-testid="reset-password">
          {pending ? "Resetting…" : "Reset password"}
        </Button>
      </form>
    </div>
  );
}
