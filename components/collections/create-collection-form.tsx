"use client";

import { useId } from "react";
import { createCollectionAction } from "@/app/collections/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { Button } from "@/components/ui/button";
import { fieldError, FieldError, FormError } from "@/components/ui/form-feedback";
import { mutedClass } from "@/components/ui/styles";
import { TextField } from "@/components/ui/text-field";
import type { ReaderOption } from "./reader-options";

/** On success the server opens the new collection's page, so there is no success message here. */
export function CreateCollectionForm({ readers }: { readers: ReaderOption[] }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(createCollectionAction);
  const id = useId();
  const readersError = fieldError(result, "readers");
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="create-collection-form"
    >
      <FormError result={result} fields={["name", "description", "readers"]} />
      <TextField
        name="name"
        label="Name"
        autoComplete="off"
        required
        maxLength={120}
        hint="For example Clinical guidelines or Credit policy 2025."
        error={fieldError(result, "name")}
      />
      <TextField
        name="description"
        label="Description (optional)"
        autoComplete="off"
        maxLength={2000}
        hint="What the collection holds and who it is for."
        error={fieldError(result, "description")}
      />
      <fieldset
        aria-describedby={[`${id}-readers-hint`, readersError ? `${id}-readers-error` : null].filter(Boolean).join(" ")}
        data-testid="create-collection-readers"
      >
        <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">Who may read it</legend>
        <p id={`${id}-readers-hint`} className={`mt-1 text-sm ${mutedClass}`}>
          Readers ask questions over its documents and open them. Administrators manage every collection but read only
          those they are given; you can change this later on the collection&apos;s page.
        </p>
        <div className="mt-2 space-y-1">
          {readers.map((r) => (
            <div key={r.value} className="flex items-start gap-2">
              <input
                id={`${id}-${r.value}`}
                type="checkbox"
                name="readers"
                value={r.value}
                data-testid={`reader-${r.value}`}
                className="mt-0.5 h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
              />
              <label htmlFor={`${id}-${r.value}`} className="text-sm">
                {r.label}
                {r.includesYou ? <span className="font-medium"> (includes you)</span> : null}
              </label>
            </div>
          ))}
        </div>
        <FieldError id={`${id}-readers-error`} message={readersError} />
      </fieldset>
      <Button type="submit" disabled={pending} data-testid="create-collection-submit">
        {pending ? "Creating…" : "Create collection"}
      </Button>
    </form>
  );
}
