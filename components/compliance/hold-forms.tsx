"use client";

import { placeHoldAction, releaseHoldAction } from "@/app/compliance/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { Label, Select } from "@/components/ui/field";
import { Button } from "@/components/ui/button";

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
        <Label htmlFor="hold-subject">Hold</Label>
        <Select className="mt-1" id="hold-subject" name="subject" defaultValue="user">
          <option value="user">A user&apos;s conversations (by email)</option>
          <option value="collection">Everything that touched a collection (by name)</option>
        </Select>
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
      <Button type="submit" disabled={pending} data-testid="place-hold-submit">
        {pending ? "Placing…" : "Place legal hold"}
      </Button>
    </form>
  );
}

export function ReleaseHoldButton({ id, label }: { id: string; label: string }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(releaseHoldAction);
  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit}>
      <input type="hidden" name="id" value={id} />
      <FormError result={result} />
      <Button
        variant="danger"
        type="submit"
        disabled={pending}
        aria-label={`Release the hold on ${label}`}
        data-testid="release-hold"
      >
        {pending ? "Releasing…" : "Release"}
      </Button>
    </form>
  );
}
