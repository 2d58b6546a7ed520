import Link from "next/link";
import type { ComponentProps } from "react";
import { cx } from "./cx";
import { linkClass } from "./styles";

/** An in-app link that reads as a link: underlined, with the shared focus ring. */
export function TextLink({ className, ...rest }: ComponentProps<typeof Link>) {
  return <Link className={cx(linkClass, className)} {...rest} />;
}
