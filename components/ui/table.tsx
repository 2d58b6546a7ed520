import type { ComponentProps } from "react";
import { cx } from "./cx";
import { tableClass, tdClass, thClass } from "./styles";

export function Table({ className, ...rest }: ComponentProps<"table">) {
  return <table className={cx(tableClass, className)} {...rest} />;
}

/** A column header; `scope` is set so screen readers announce it with each cell. */
export function Th({ className, scope = "col", ...rest }: ComponentProps<"th">) {
  return <th scope={scope} className={cx(thClass, className)} {...rest} />;
}

/** A row's first cell, which names the row (a user, a collection) and is announced with the other cells. */
export function RowHeader({ className, ...rest }: ComponentProps<"th">) {
  return <th scope="row" className={cx(tdClass, "font-normal", className)} {...rest} />;
}

export function Td({ className, ...rest }: ComponentProps<"td">) {
  return <td className={cx(tdClass, className)} {...rest} />;
}

/** Wide tables scroll inside their box on a phone instead of widening the page. */
export function TableScroll({ className, ...rest }: ComponentProps<"div">) {
  return <div className={cx("overflow-x-auto", className)} {...rest} />;
}
