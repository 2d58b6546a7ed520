import type { ActionResult } from "@/lib/auth/guards";

type AnyResult = ActionResult<unknown> | null;

/** The server's message for one field (or for an item of it, such as `roles.0`). */
export function fieldError(result: AnyResult, name: string): string | undefined {
  if (!result || result.ok) return undefined;
  const fields = result.error.fields ?? {};
  return fields[name] ?? Object.entries(fields).find(([key]) => key.startsWith(`${name}.`))?.[1];
}

/**
 * The form-level error. When every problem is already shown next to its field, this only points
 * there; otherwise (a conflict, a refused change, a problem with a hidden field) it carries the
 * server's message, which is always written for the user.
 */
export function FormError({
  result,
  fields = [],
  testId = "form-error",
}: {
  result: AnyResult;
  fields?: string[];
  testId?: string;
}) {
  if (!result || result.ok) return null;
  const keys = Object.keys(result.error.fields ?? {});
  const shownByFields =
    keys.length > 0 && keys.every((key) => fields.some((f) => key === f || key.startsWith(`${f}.`)));
  const message = shownByFields ? "Some fields need attention; see the message under each one." : result.error.message;
  return (
    <p
      role="alert"
      data-testid={testId}
      className="rounded-md border border-red-700 dark:border-red-400 bg-red-50 dark:bg-red-950 px-3 py-2 text-sm text-red-900 dark:text-red-200"
    >
      {message}
    </p>
  );
}

/** A polite live region that is always present, so screen readers announce the message when it appears. */
export function FormSuccess({ message, testId = "form-success" }: { message?: string; testId?: string }) {
  return (
    <p
      role="status"
      data-testid={testId}
      className={
        message
          ? "rounded-md border border-green-700 dark:border-green-400 bg-green-50 dark:bg-green-950 px-3 py-2 text-sm text-green-900 dark:text-green-200"
          : "sr-only"
      }
    >
      {message ?? ""}
    </p>
  );
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-800 dark:text-red-300">
      {message}
    </p>
  );
}
