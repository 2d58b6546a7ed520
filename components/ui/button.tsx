import type { ComponentProps } from "react";
import { cx } from "./cx";
import { buttonClass, dangerButtonClass, secondaryButtonClass } from "./styles";

const VARIANTS = { primary: buttonClass, secondary: secondaryButtonClass, danger: dangerButtonClass } as const;

export type ButtonVariant = keyof typeof VARIANTS;

// The caller sets `type`: inside a form a button without one submits it, as HTML has it.
export function Button({
  variant = "primary",
  className,
  ...rest
}: ComponentProps<"button"> & { variant?: ButtonVariant }) {
  return <button className={cx(VARIANTS[variant], className)} {...rest} />;
}
