"use client";

import { verifyChainAction } from "@/app/compliance/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { Button } from "@/components/ui/button";

export function VerifyChainForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(verifyChainAction, {
    resetOnSuccess: false,
  });
  const r = result?.ok ? result.data : null;
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-3" data-testid="verify-chain-form">
      <FormError result={result} />
      <Button variant="secondary" type="submit" disabled={pending} data-testid="verify-chain">
        {pending ? "Verifying…" : "Verify the chain now"}
      </Button>
      <p
        role="status"
        data-testid="verify-result"
        className={
          r
            ? r.ok
              ? "text-sm text-green-900 dark:text-green-200"
              : "text-sm font-semibold text-red-900 dark:text-red-200"
            : "sr-only"
        }
      >
        {r
          ? r.ok
            ? `Intact: ${r.count} events, head ${r.head?.seq ?? "-"} (${r.head?.hash.slice(0, 16) ?? "-"}…), checked in ${r.durationMs} ms.`
            : `Broken at event ${r.firstBroken?.seq}: ${r.firstBroken?.reason}.`
          : ""}
      </p>
    </form>
  );
}
