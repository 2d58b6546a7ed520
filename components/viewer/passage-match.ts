// Which text items of a PDF page hold the cited passage. pdf.js gives a page's text as items
// (runs of text in drawing order); the passage is the canonical text the ingester extracted from
// the same page. Both are compared with whitespace collapsed and case folded, and when the whole
// passage is not on the page (it continues on the next one) its longest part that is, from its
// start or its end, is highlighted.

const MIN_MATCH = 12;

function normalise(s: string): string {
  return s.replace(/\s+/g, " ").trim().toLowerCase();
}

/** The longest prefix or suffix of `needle` found in `hay` (at least MIN_MATCH characters): its start and end. */
function bestRange(hay: string, needle: string): [number, number] | null {
  const whole = hay.indexOf(needle);
  if (whole >= 0) return [whole, whole + needle.length];
  let best: [number, number] | null = null;
  // Binary search on length: a prefix found implies every shorter prefix is found.
  for (const side of ["prefix", "suffix"] as const) {
    let lo = MIN_MATCH;
    let hi = needle.length - 1;
    let found: [number, number] | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const part = side === "prefix" ? needle.slice(0, mid) : needle.slice(needle.length - mid);
      const at = hay.indexOf(part);
      if (at >= 0) {
        found = [at, at + mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found && (!best || found[1] - found[0] > best[1] - best[0])) best = found;
  }
  return best;
}

/** Indexes of the items that overlap the passage on this page; empty when it is not there. */
export function passageItems(items: string[], passage: string): number[] {
  const needle = normalise(passage);
  if (needle.length === 0) return [];
  let hay = "";
  const spans: [number, number][] = [];
  for (const item of items) {
    const text = normalise(item);
    if (text && hay && !hay.endsWith(" ")) hay += " ";
    spans.push([hay.length, hay.length + text.length]);
    hay += text;
  }
  const range = bestRange(hay, needle);
  if (!range) return [];
  const out: number[] = [];
  spans.forEach(([a, b], i) => {
    if (b > a && a < range[1] && b > range[0]) out.push(i);
  });
  return out;
}
