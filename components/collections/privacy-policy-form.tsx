"use client";

import { updatePrivacyPolicyAction } from "@/app/collections/[id]/actions";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { PII_LABELS, type PiiType } from "@/lib/privacy/pii-types";
import { Button } from "@/components/ui/button";

const choice =
  "h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400";

/**
 * The collection's ingestion policy. Options and their labels come from the page, which reads
 * them from the server modules, so this form holds no copy of the rules.
 */
export function PrivacyPolicyForm({
  collectionId,
  policy,
  piiOptions,
  injectionOptions,
  piiTypes,
  documentCount,
}: {
  collectionId: string;
  policy: { pii: string; piiTypes: string[]; injection: string };
  piiOptions: { value: string; label: string }[];
  injectionOptions: { value: string; label: string }[];
  piiTypes: readonly PiiType[];
  documentCount: number;
}) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(updatePrivacyPolicyAction, {
    resetOnSuccess: false,
  });
  const saved = result?.ok
    ? `Policy saved.${result.data.requeued > 0 ? ` ${result.data.requeued} document${result.data.requeued === 1 ? " is" : "s are"} being checked again.` : ""}`
    : undefined;
  const typesError = fieldError(result, "piiTypes");
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      className="max-w-2xl space-y-5"
      data-testid="privacy-policy-form"
    >
      <FormError result={result} fields={["pii", "piiTypes", "injection"]} />
      <FormSuccess message={saved} testId="privacy-policy-success" />
      <input type="hidden" name="collectionId" value={collectionId} />
      <fieldset>
        <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">
          Personal and health data in uploaded documents
        </legend>
        <div className="mt-1 space-y-1">
          {piiOptions.map((o) => (
            <div key={o.value} className="flex items-center gap-2">
              <input
                id={`pii-${o.value}`}
                type="radio"
                name="pii"
                value={o.value}
                defaultChecked={policy.pii === o.value}
                className={choice}
                data-testid={`policy-pii-${o.value}`}
              />
              <label htmlFor={`pii-${o.value}`} className="text-sm">
                {o.label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset aria-describedby={typesError ? "pii-types-error" : undefined}>
        <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">
          Kinds that masking and refusing act on
        </legend>
        <div className="mt-1 grid gap-1 sm:grid-cols-2">
          {piiTypes.map((t) => (
            <div key={t} className="flex items-center gap-2">
              <input
                id={`pii-type-${t}`}
                type="checkbox"
                name="piiTypes"
                value={t}
                defaultChecked={policy.piiTypes.includes(t)}
                className={choice}
                data-testid={`policy-type-${t}`}
              />
              <label htmlFor={`pii-type-${t}`} className="text-sm">
                {PII_LABELS[t].many}
              </label>
            </div>
          ))}
        </div>
        <FieldError id="pii-types-error" message={typesError} />
      </fieldset>
      <fieldset>
        <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">
          Documents that may contain instructions aimed at the assistant
        </legend>
        <div className="mt-1 space-y-1">
          {injectionOptions.map((o) => (
            <div key={o.value} className="flex items-center gap-2">
              <input
                id={`injection-${o.value}`}
                type="radio"
                name="injection"
                value={o.value}
                defaultChecked={policy.injection === o.value}
                className={choice}
                data-testid={`policy-injection-${o.value}`}
              />
              <label htmlFor={`injection-${o.value}`} className="text-sm">
                {o.label}
              </label>
            </div>
          ))}
        </div>
      </fieldset>
      {documentCount > 0 ? (
        <div className="flex items-center gap-2">
          <input id="policy-recheck" type="checkbox" name="recheck" className={choice} data-testid="policy-recheck" />
          <label htmlFor="policy-recheck" className="text-sm">
            Also check the {documentCount} document{documentCount === 1 ? "" : "s"} already here again under this policy
          </label>
        </div>
      ) : null}
      <Button type="submit" disabled={pending} data-testid="privacy-policy-submit">
        {pending ? "Saving…" : "Save policy"}
      </Button>
    </form>
  );
}
