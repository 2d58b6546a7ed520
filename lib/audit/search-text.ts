// The words the console's free-text filter finds an event by: the string values of a payload
// or content, without identifiers and digests (which only bloat the index; the console has
// exact filters for those).

const NOISE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?::\d+)?|[0-9a-f]{32,}|sha256:[0-9a-f]+)$/i;
const MAX_CHARS = 100_000;

export function searchTextOf(...values: unknown[]): string {
  const parts: string[] = [];
  let size = 0;
  const walk = (v: unknown): void => {
    if (size > MAX_CHARS) return;
    if (typeof v === "string") {
      if (v && !NOISE.test(v)) {
        parts.push(v);
        size += v.length;
      }
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (v && typeof v === "object") {
      for (const x of Object.values(v)) walk(x);
    }
  };
  for (const v of values) walk(v);
  return parts.join(" ").slice(0, MAX_CHARS);
}
