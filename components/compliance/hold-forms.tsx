"use client";

import { placeHoldAction, releaseHoldAction } from "@/app/compliance/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { buttonClass, dangerButtonClass, inputClass, labelClass } from "@/components/ui/styles";
import { TextField } from "@/components/ui/text-field";

export function PlaceHoldForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(placeHoldAction);
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="place-hold-form"
    >
      <FormError result={result} fields={["subject", "target", "reason"]} />
      <FormSuccess message={result?.ok ? `Placed a legal hold on ${result.data.on}.` : undefined} />
      <div>
        <label htmlFor="hold-subject" className={labelClass}>
          Hold
        </label>
        <select id="hold-subject" name="subject" className={`mt-1 ${inputClass}`} defaultValue="user">
          <option value="user">A user&apos;s conversations (by email)</option>
          <option value="collection">Everything that touched a collection (by name)</option>
        </select>
      </div>
      <TextField
        name="target"
        label="User email or collection name"
        autoComplete="off"
        required
        maxLength={320}
        error={fieldError(result, "target")}
      />
      <TextField
        name="reason"
        label="Reason"
        autoComplete="off"
        required
        maxLength={1000}
        hint="A case number or the request that requires it."
        error={fieldError(result, "reason")}
      />
      <button type="submit" className={buttonClass} disabled={pending} data-testid="place-hold-submit">
        {pending ? "Placing…" : "Place legal hold"}
      </button>
    </form>
  );
}

export function ReleaseHoldButton({ id, label }: { id: string; label: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(releaseHoldAction);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit}>
      <input type="hidden" name="id" value={id} />
      <FormError result={result} />
      <button
        type="submit"
        className={dangerButtonClass}
        disabled={pending}
        aria-label={`Release the hold on ${label}`}
        data-testid="release-hold"
      >
        {pending ? "Releasing…" : "Release"}
      </button>
    </form>
  );
}
