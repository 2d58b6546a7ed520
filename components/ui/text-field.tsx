"use client";

import { useId, type HTMLInputAutoCompleteAttribute } from "react";
import { FieldError } from "./form-feedback";
import { inputClass, labelClass } from "./styles";

interface TextFieldProps {
  name: string;
  label: string;
  type?: "text" | "email" | "password";
  autoComplete?: HTMLInputAutoCompleteAttribute;
  required?: boolean;
  defaultValue?: string;
  hint?: string;
  error?: string;
  maxLength?: number;
}

/** A labelled input whose hint and error are tied to it for assistive technology. */
export function TextField({
  name,
  label,
  type = "text",
  autoComplete,
  required,
  defaultValue,
  hint,
  error,
  maxLength,
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        autoComplete={autoComplete}
        required={required}
        defaultValue={defaultValue}
        maxLength={maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`mt-1 ${inputClass}`}
      />
      {hint ? (
        <p id={hintId} className="mt-1 text-sm text-gray-700 dark:text-gray-300">
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} message={error} />
    </div>
  );
}
