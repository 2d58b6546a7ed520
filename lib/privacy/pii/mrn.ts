// Medical record numbers. Formats differ by hospital, so besides the labelled forms built in
// here, sites add their own patterns (PII_MRN_PATTERNS); a pattern's first capture group, when
// it has one, is the number itself and the rest is context.

import type { PiiFinding } from "../pii-types";
import { finding } from "./context";

const compiled = new WeakMap<RegExp, RegExp>();

/** Global (matchAll needs it) with capture indices, without changing what the pattern matches. */
export function scanningPattern(re: RegExp): RegExp {
  const cached = compiled.get(re);
  if (cached) return cached;
  const flags = new Set(re.flags);
  flags.add("g");
  flags.add("d");
  const out = new RegExp(re.source, [...flags].join(""));
  compiled.set(re, out);
  return out;
}

const LABELLED_MRN = scanningPattern(
  /\b(?:MRN|M\.R\.N\.|medical\s+record\s+(?:number|no\.?|#)|med(?:ical)?\.?\s+rec(?:ord)?\.?\s+(?:no\.?|#)|patient\s+(?:id|identifier|number|no\.?|#)|hospital\s+(?:number|no\.?)|chart\s+(?:number|no\.?|#))\s*[:#]?\s*(?:is\s+)?([A-Z]{0,4}[-\s]?\d[\dA-Z-]{3,14}\d)(?![\w-])/i,
);

function fromPattern(text: string, re: RegExp, confidence: number, out: PiiFinding[]): void {
  for (const m of text.matchAll(re)) {
    if (m[0].length === 0) continue;
    const [start, end] = m.indices?.[1] ?? [m.index, m.index + m[0].length];
    if (text.slice(start, end).replace(/\D/g, "").length < 4) continue;
    out.push(finding("mrn", text, start, end, confidence));
  }
}

export function detectMrns(text: string, extra: readonly RegExp[] = []): PiiFinding[] {
  const out: PiiFinding[] = [];
  fromPattern(text, LABELLED_MRN, 0.9, out);
  for (const re of extra) fromPattern(text, scanningPattern(re), 0.85, out);
  return out;
}
