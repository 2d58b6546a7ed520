"use client";

import { removeMemberAction } from "@/app/admin/groups/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { Button } from "@/components/ui/button";

export function RemoveMemberButton({ groupId, userId, email }: { groupId: string; userId: string; email: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(removeMemberAction, {
    resetOnSuccess: false,
  });
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2">
      <FormError result={result} />
      <input type="hidden" name="groupId" value={groupId} />
      <input type="hidden" name="userId" value={userId} />
      <Button
        variant="danger"
        type="submit"
        disabled={pending}
        aria-label={`Remove ${email} from the group`}
        data-testid={`remove-member-${email}`}
      >
        {pending ? "Removing…" : "Remove"}
      </Button>
    </form>
  );
}
