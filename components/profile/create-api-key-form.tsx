"use client";

import { createApiKeyAction } from "@/app/profile/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError } from "@/components/ui/form-feedback";
import { buttonClass } from "@/components/ui/styles";
import { TextField } from "@/components/ui/text-field";
import { NewApiKey } from "./new-api-key";

export function CreateApiKeyForm() {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(createApiKeyAction);
  return (
    <div className="space-y-4">
      {result?.ok ? <NewApiKey key={result.data.prefix} name={result.data.name} apiKey={result.data.key} /> : null}
      <form
        ref={formRef}
        action={formAction}
        onSubmit={onSubmit}
        noValidate
        className="max-w-lg space-y-4"
        data-testid="create-api-key-form"
      >
        <FormError result={result} fields={["name"]} />
        <TextField
          name="name"
          label="Key name"
          autoComplete="off"
          required
          maxLength={100}
          hint="Say what will use the key, for example “Build server” or “Reporting script”."
          error={fieldError(result, "name")}
        />
        <button type="submit" className={buttonClass} disabled={pending} data-testid="create-api-key-submit">
          {pending ? "Creating…" : "Create API key"}
        </button>
      </form>
    </div>
  );
}
