"use client";

import { revokeApiKeyAction } from "@/app/profile/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { Button } from "@/components/ui/button";

export function RevokeApiKeyButton({ id, prefix, name }: { id: string; prefix: string; name: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(revokeApiKeyAction, {
    resetOnSuccess: false,
  });
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2">
      <FormError result={result} />
      <input type="hidden" name="id" value={id} />
      <Button
        variant="danger"
        type="submit"
        disabled={pending}
        aria-label={`Revoke the key ${name} (kq_${prefix})`}
        data-testid={`revoke-${prefix}`}
      >
        {pending ? "Revoking…" : "Revoke"}
      </Button>
    </form>
  );
}
