// Cue words around a candidate: most numbers only mean something because of the words before
// them ("SSN", "order no."), so detectors look a short way back on the same line.

/** The text up to `window` characters before `start`, cut at the previous line break, lower-cased. */
export function textBefore(text: string, start: number, window: number): string {
  const from = Math.max(0, start - window);
  const slice = text.slice(from, start);
  const nl = slice.lastIndexOf("\n");
  return (nl >= 0 ? slice.slice(nl + 1) : slice).toLowerCase();
}

/** The text up to `window` characters after `end`, cut at the next line break, lower-cased. */
export function textAfter(text: string, end: number, window: number): string {
  const slice = text.slice(end, end + window);
  const nl = slice.indexOf("\n");
  return (nl >= 0 ? slice.slice(0, nl) : slice).toLowerCase();
}

/** Words that make a nearby number an identifier of something other than a person. */
export const NOT_PERSONAL_CUE =
  /\b(?:order|invoice|inv|part|item|sku|ref|reference|tracking|ticket|case|claim no|po|purchase order|serial|model|isbn|issn|imei|batch|lot|build|version|ver|release|docket|file no|form|routing|transaction|confirmation|receipt|shipment|catalog|catalogue|product|patent|contract|project|job|request|incident|record|index|code|sku)\b[^0-9]{0,14}$|(?:#|\bno\.?)\s*$/;

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export function finding<T extends string>(type: T, text: string, start: number, end: number, confidence: number) {
  return { type, start, end, text: text.slice(start, end), confidence: Math.round(confidence * 100) / 100 };
}
