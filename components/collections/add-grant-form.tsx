"use client";

import { useId } from "react";
import { addGrantAction } from "@/app/collections/[id]/actions";
import type { Role } from "@/db/schema";
import { useFormAction } from "@/components/forms/use-form-action";
import { fieldError, FieldError, FormError, FormSuccess } from "@/components/ui/form-feedback";
import { Label, Select } from "@/components/ui/field";
import { Button } from "@/components/ui/button";

const ACCESS_HINTS = {
  read: "Read: ask questions over the documents and open them.",
  manage: "Manage: also upload, restrict and delete documents.",
} as const;

/** Grants a role or a group read or manage access; granting the same grantee again changes its access. */
export function AddGrantForm({
  collectionId,
  roles,
  groups,
}: {
  collectionId: string;
  roles: readonly Role[];
  groups: string[];
}) {
  const { result, formAction, pending, formRef, onSubmit } = useFormAction(addGrantAction);
  const id = useId();
  const granteeError = fieldError(result, "grantee");
  const accessError = fieldError(result, "access");
  const success = result?.ok
    ? `Gave ${result.data.grantee.kind} ${result.data.grantee.name} ${result.data.access} access.`
    : undefined;
  return (
    <form
      ref={formRef}
      action={formAction}
      onSubmit={onSubmit}
      noValidate
      className="max-w-lg space-y-4"
      data-testid="grant-add-form"
    >
      <FormError result={result} fields={["grantee", "access"]} />
      <FormSuccess message={success} testId="grant-success" />
      <input type="hidden" name="collectionId" value={collectionId} />
      <div>
        <Label htmlFor={`${id}-grantee`}>Who</Label>
        <Select
          className="mt-1"
          id={`${id}-grantee`}
          name="grantee"
          required
          defaultValue=""
          aria-invalid={granteeError ? true : undefined}
          aria-describedby={granteeError ? `${id}-grantee-error` : undefined}
          data-testid="grant-grantee"
        >
          <option value="" disabled>
            Choose a role or a group
          </option>
          <optgroup label="Everyone with the role">
            {roles.map((role) => (
              <option key={role} value={`role:${role}`}>
                Role: {role}
              </option>
            ))}
          </optgroup>
          {groups.length > 0 ? (
            <optgroup label="Members of the group">
              {groups.map((group) => (
                <option key={group} value={`group:${group}`}>
                  Group: {group}
                </option>
              ))}
            </optgroup>
          ) : null}
        </Select>
        <FieldError id={`${id}-grantee-error`} message={granteeError} />
      </div>
      <fieldset aria-describedby={accessError ? `${id}-access-error` : undefined}>
        <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">Access</legend>
        <div className="mt-1 space-y-1">
          {(["read", "manage"] as const).map((access) => (
            <div key={access} className="flex items-start gap-2">
              <input
                id={`${id}-access-${access}`}
                type="radio"
                name="access"
                value={access}
                defaultChecked={access === "read"}
                data-testid={`grant-access-${access}`}
                className="mt-0.5 h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
              />
              <label htmlFor={`${id}-access-${access}`} className="text-sm">
                {ACCESS_HINTS[access]}
              </label>
            </div>
          ))}
        </div>
        <FieldError id={`${id}-access-error`} message={accessError} />
      </fieldset>
      <Button type="submit" disabled={pending} data-testid="grant-add-submit">
        {pending ? "Granting…" : "Grant access"}
      </Button>
    </form>
  );
}
