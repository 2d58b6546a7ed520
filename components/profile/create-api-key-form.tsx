"use client";

import { createApiKeyAction } from "@/app/profile/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FormError } from "@/components/ui/form-feedback";
import { useId } from "react";
import { FieldError } from "@/components/ui/form-feedback";
import { TextField } from "@/components/ui/text-field";
import { NewApiKey } from "./new-api-key";
import { Label, Select } from "@/components/ui/field";
import { Button } from "@/components/ui/button";

const LIFETIMES = [7, 30, 90, 180, 365, 730];

const SCOPES = [
  { scope: "chat", label: "chat", hint: "ask questions, read and rate your conversations" },
  { scope: "read", label: "read", hint: "read collections and documents you may read" },
  { scope: "admin", label: "admin", hint: "everything else your roles allow, such as uploads and administration" },
] as const;

/** Creates a key: a name, how long it lives (at most the server's maximum) and what it may do. */
export function CreateApiKeyForm({ maxDays }: { maxDays: number }) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(createApiKeyAction);
  const id = useId();
  const lifetimes = [...LIFETIMES.filter((d) => d < maxDays), maxDays];
  const expiryError = fieldError(result, "expiresInDays");
  const scopesError = fieldError(result, "scopes");
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
        <FormError result={result} fields={["name", "expiresInDays", "scopes"]} />
        <TextField
          name="name"
          label="Key name"
          autoComplete="off"
          required
          maxLength={100}
          hint="Say what will use the key, for example “Build server” or “Reporting script”."
          error={fieldError(result, "name")}
        />
        <div>
          <Label htmlFor={`${id}-expiry`}>Expires after</Label>
          <Select
            className="mt-1"
            id={`${id}-expiry`}
            name="expiresInDays"
            defaultValue={String(Math.min(90, maxDays))}
            aria-invalid={expiryError ? true : undefined}
            aria-describedby={expiryError ? `${id}-expiry-error` : undefined}
            data-testid="api-key-expiry"
          >
            {lifetimes.map((days) => (
              <option key={days} value={days}>
                {days} days
              </option>
            ))}
          </Select>
          <FieldError id={`${id}-expiry-error`} message={expiryError} />
        </div>
        <fieldset aria-describedby={scopesError ? `${id}-scopes-error` : undefined}>
          <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">What the key may do</legend>
          <div className="mt-1 space-y-2">
            {SCOPES.map(({ scope, label, hint }) => (
              <div key={scope} className="flex items-start gap-2">
                <input
                  id={`${id}-scope-${scope}`}
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  defaultChecked={scope !== "admin"}
                  data-testid={`api-key-scope-${scope}`}
                  className="mt-0.5 h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                />
                <label htmlFor={`${id}-scope-${scope}`} className="text-sm">
                  <span className="font-mono">{label}</span>: {hint}
                </label>
              </div>
            ))}
          </div>
          <FieldError id={`${id}-scopes-error`} message={scopesError} />
        </fieldset>
        <Button type="submit" disabled={pending} data-testid="create-api-key-submit">
          {pending ? "Creating…" : "Create API key"}
        </Button>
      </form>
    </div>
  );
}
