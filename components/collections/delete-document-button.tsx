"use client";

import { useEffect, useRef, useState } from "react";
import { deleteDocumentAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError } from "@/components/ui/form-feedback";
import { Button } from "@/components/ui/button";

/** Deleting asks again on the page itself (no browser dialog), and the second button says what it destroys. */
export function DeleteDocumentButton({ documentId, name }: { documentId: string; name: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(deleteDocumentAction, {
    resetOnSuccess: false,
  });
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);

  // Move focus with the step, so a keyboard user lands on the button that now matters.
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) startRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  if (!confirming) {
    return (
      <Button
        variant="danger"
        ref={startRef}
        type="button"
        onClick={() => setConfirming(true)}
        data-testid="doc-delete"
      >
        Delete document
      </Button>
    );
  }
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      className="space-y-2 rounded-md border border-red-700 dark:border-red-400 bg-red-50 dark:bg-red-950 p-3"
      data-testid="doc-delete-form"
    >
      <FormError result={result} />
      <p className="text-sm text-red-900 dark:text-red-200">
        Delete <span className="font-medium">{name}</span> with all its versions? Its passages and stored files are
        removed and answers can no longer cite it. This cannot be undone.
      </p>
      <input type="hidden" name="documentId" value={documentId} />
      <div className="flex flex-wrap gap-2">
        <Button variant="danger" ref={confirmRef} type="submit" disabled={pending} data-testid="doc-delete-confirm">
          {pending ? "Deleting…" : "Confirm delete"}
        </Button>
        <Button
          variant="secondary"
          type="button"
          disabled={pending}
          onClick={() => setConfirming(false)}
          data-testid="doc-delete-cancel"
        >
          Cancel
        </Button>
      </div>
    </form>
  );
}
