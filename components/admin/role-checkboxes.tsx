import type { Role } from "@/db/schema";
import { FieldError } from "@/components/ui/form-feedback";

/** A role checkbox group; the boxes share the name `roles`, so the form sends every ticked role. */
export function RoleCheckboxes({
  idPrefix,
  roles,
  checked,
  error,
}: {
  idPrefix: string;
  roles: readonly Role[];
  checked: readonly Role[];
  error?: string;
}) {
  const errorId = `${idPrefix}-roles-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium text-gray-900 dark:text-gray-100">Roles</legend>
      <div className="mt-1 flex flex-wrap gap-x-6 gap-y-2">
        {roles.map((role) => (
          <div key={role} className="flex items-center gap-2">
            <input
              id={`${idPrefix}-role-${role}`}
              type="checkbox"
              name="roles"
              value={role}
              defaultChecked={checked.includes(role)}
              data-testid={`role-${role}`}
              className="h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
            />
            <label htmlFor={`${idPrefix}-role-${role}`} className="text-sm">
              {role}
            </label>
          </div>
        ))}
      </div>
      <FieldError id={errorId} message={error} />
    </fieldset>
  );
}
