"use client";

import { restrictDocumentAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { FormError, FormSuccess } from "@/components/ui/form-feedback";
import { Button } from "@/components/ui/button";

/** Ticked groups only may read the document; none ticked: everyone who may read the collection. */
export function RestrictDocumentForm({
  documentId,
  groups,
  restrictedTo,
}: {
  documentId: string;
  groups: string[];
  restrictedTo: string[];
}) {
  // Keep the boxes as saved: after a success the page re-renders with them as defaults.
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(restrictDocumentAction, {
    resetOnSuccess: false,
  });
  const success = result?.ok
    ? result.data.restrictedTo.length > 0
      ? `Restricted to ${result.data.restrictedTo.join(", ")}.`
      : "Everyone who may read the collection may read this document."
    : undefined;
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} className="space-y-2" data-testid="restrict-form">
      <FormError result={result} fields={["restrictedTo"]} />
      <FormSuccess message={success} testId="restrict-success" />
      <input type="hidden" name="documentId" value={documentId} />
      <fieldset>
        <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">Only these groups may read it</legend>
        {groups.length === 0 ? (
          <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">
            There are no groups yet. An administrator can create them under Groups.
          </p>
        ) : (
          <div className="mt-1 space-y-1">
            {groups.map((group) => {
              const id = `restrict-${documentId}-${group}`;
              return (
                <div key={group} className="flex items-center gap-2">
                  <input
                    id={id}
                    type="checkbox"
                    name="restrictedTo"
                    value={group}
                    defaultChecked={restrictedTo.includes(group)}
                    data-testid={`restrict-group-${group}`}
                    className="h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                  />
                  <label htmlFor={id} className="text-sm">
                    {group}
                  </label>
                </div>
              );
            })}
          </div>
        )}
        <p className="mt-1 text-sm text-gray-700 dark:text-gray-300">
          None ticked: everyone who may read the collection.
        </p>
      </fieldset>
      {groups.length > 0 ? (
        <Button variant="secondary" type="submit" disabled={pending} data-testid="restrict-submit">
          {pending ? "Saving…" : "Save restriction"}
        </Button>
      ) : null}
    </form>
  );
}
