/** Joins class lists, skipping the empty ones, so a primitive's own classes come first and a caller's extend them. */
export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}
