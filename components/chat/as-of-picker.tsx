"use client";

import { focusRing, labelClass, mutedClass, secondaryButtonClass } from "@/components/ui/styles";

/**
 * "Answer as of …": a day (UTC) whose versions answer the next questions; empty for today. The
 * server refuses a day in the future, so the picker does not offer one.
 */
export function AsOfPicker({
  value,
  onChange,
  disabled,
}: {
  value: string;
  onChange: (day: string) => void;
  disabled: boolean;
}) {
  const today = new Date().toISOString().slice(0, 10);
  return (
    <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
      <label htmlFor="chat-as-of" className={labelClass}>
        Answer as of
      </label>
      <input
        id="chat-as-of"
        type="date"
        value={value}
        max={today}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby="chat-as-of-help"
        className={`rounded-md border border-gray-400 bg-white px-2 py-1 text-sm text-gray-900 dark:border-gray-500 dark:bg-gray-900 dark:text-gray-100 ${focusRing}`}
        data-testid="chat-as-of"
      />
      {value ? (
        <button
          type="button"
          onClick={() => onChange("")}
          disabled={disabled}
          className={secondaryButtonClass}
          data-testid="chat-as-of-clear"
        >
          Back to today
        </button>
      ) : null}
      <span id="chat-as-of-help" className={`text-xs ${mutedClass}`}>
        {value
          ? `Answers come from the versions in effect on ${value}.`
          : "Empty: answers come from the versions in effect today."}
      </span>
    </div>
  );
}
