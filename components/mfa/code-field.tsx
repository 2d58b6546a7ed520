"use client";

import { useId } from "react";
import { inputClass, labelClass } from "@/components/ui/styles";

/** The code input: digits from the app (or a recovery code), filled in by the phone's keyboard and autofill. */
export function CodeField({ label, hint, error }: { label: string; hint?: string; error?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <input
        id={id}
        name="code"
        type="text"
        autoComplete="one-time-code"
        spellCheck={false}
        required
        maxLength={64}
        aria-invalid={error ? true : undefined}
        aria-describedby={hint ? hintId : undefined}
        className={`${inputClass} mt-1 font-mono`}
        data-testid="mfa-code"
      />
      {hint ? (
        <p id={hintId} className="mt-1 text-sm text-gray-700 dark:text-gray-300">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
