import { cx } from "./cx";

// Text carries the meaning; the tone's colour only repeats it.
const TONES = {
  neutral: "border-gray-500 bg-gray-50 text-gray-900 dark:border-gray-400 dark:bg-gray-800 dark:text-gray-100",
  info: "border-blue-700 bg-blue-50 text-blue-900 dark:border-blue-400 dark:bg-blue-950 dark:text-blue-200",
  success: "border-green-700 bg-green-50 text-green-900 dark:border-green-400 dark:bg-green-950 dark:text-green-200",
  warning: "border-amber-700 bg-amber-50 text-amber-950 dark:border-amber-400 dark:bg-amber-950 dark:text-amber-200",
  danger: "border-red-700 bg-red-50 text-red-900 dark:border-red-400 dark:bg-red-950 dark:text-red-200",
} as const;

export type BadgeTone = keyof typeof TONES;

export function Badge({
  tone = "neutral",
  className,
  children,
  ...rest
}: { tone?: BadgeTone; className?: string; children: React.ReactNode } & Omit<
  React.HTMLAttributes<HTMLSpanElement>,
  "className" | "children"
>) {
  return (
    <span
      className={cx("rounded border px-2 py-0.5 text-xs font-medium whitespace-nowrap", TONES[tone], className)}
      {...rest}
    >
      {children}
    </span>
  );
}
