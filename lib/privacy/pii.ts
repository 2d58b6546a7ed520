// Personal, health and secret data in text, found locally: no model, no network. Each detector
// gives its findings a confidence from how the value looks and from the words around it; the
// ones below `minConfidence` are dropped, and where two findings overlap the stronger one wins.

import type { CountryCode } from "libphonenumber-js/max";
import { MASK_TOKENS, PII_TYPES, type PiiFinding, type PiiType } from "./pii-types";
import { detectEmails, detectIps, detectPhones } from "./pii/contact";
import { detectDatesOfBirth } from "./pii/dates";
import { detectMrns } from "./pii/mrn";
import { detectNames } from "./pii/names";
import { detectCards, detectIbans, detectSsn } from "./pii/numbers";
import { detectPasswords, detectSecrets } from "./pii/secrets";

export { describePiiCounts, isPiiType, MASK_TOKENS, PII_LABELS, PII_TYPES, type PiiFinding, type PiiType } from "./pii-types";

export interface DetectPiiOptions {
  /** Only these types (default: all). */
  types?: readonly PiiType[];
  /** Site-specific medical record number patterns, in addition to the labelled forms built in. */
  mrnPatterns?: readonly RegExp[];
  /** Region for phone numbers written without a country code (default US). */
  phoneRegion?: CountryCode;
  /** Findings below this are dropped (default 0.5). */
  minConfidence?: number;
}

export const DEFAULT_MIN_CONFIDENCE = 0.5;

type Detector = (text: string, opts: DetectPiiOptions) => PiiFinding[];

const DETECTORS: Record<PiiType, Detector> = {
  ssn: (t) => detectSsn(t),
  credit_card: (t) => detectCards(t),
  iban: (t) => detectIbans(t),
  email: (t) => detectEmails(t),
  phone: (t, o) => detectPhones(t, o.phoneRegion),
  date_of_birth: (t) => detectDatesOfBirth(t),
  mrn: (t, o) => detectMrns(t, o.mrnPatterns),
  ip_address: (t) => detectIps(t),
  secret: (t) => detectSecrets(t),
  password: (t) => detectPasswords(t),
  person_name: (t) => detectNames(t),
};

// When two findings have the same confidence, the more specific kind wins (a card number that
// a phone matcher also accepts is a card number).
const SPECIFICITY: Record<PiiType, number> = {
  secret: 11,
  password: 10,
  iban: 9,
  credit_card: 8,
  ssn: 7,
  mrn: 6,
  date_of_birth: 5,
  email: 4,
  ip_address: 3,
  phone: 2,
  person_name: 1,
};

export function detectPii(text: string, opts: DetectPiiOptions = {}): PiiFinding[] {
  const types = opts.types ?? PII_TYPES;
  const min = opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const all: PiiFinding[] = [];
  for (const type of types) {
    for (const f of DETECTORS[type](text, opts)) if (f.confidence >= min) all.push(f);
  }
  return resolveOverlaps(all);
}

function stronger(a: PiiFinding, b: PiiFinding): boolean {
  if (a.confidence !== b.confidence) return a.confidence > b.confidence;
  if (SPECIFICITY[a.type] !== SPECIFICITY[b.type]) return SPECIFICITY[a.type] > SPECIFICITY[b.type];
  return a.end - a.start > b.end - b.start;
}

/**
 * Non-overlapping findings in text order: the strongest finding keeps its span and anything
 * that overlaps it goes (identical spans of one type collapse to one).
 */
export function resolveOverlaps(findings: readonly PiiFinding[]): PiiFinding[] {
  const ranked = [...findings].sort((a, b) => (stronger(a, b) ? -1 : stronger(b, a) ? 1 : a.start - b.start));
  const kept: PiiFinding[] = [];
  for (const f of ranked) {
    if (f.end <= f.start) continue;
    if (kept.some((k) => f.start < k.end && k.start < f.end)) continue;
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Replaces each finding's span with its type's token ("[SSN]", "[CARD]" …). */
export function maskPii(text: string, findings: readonly PiiFinding[]): string {
  let out = "";
  let at = 0;
  for (const f of resolveOverlaps(findings)) {
    if (f.start < at || f.end > text.length) continue;
    out += text.slice(at, f.start) + MASK_TOKENS[f.type];
    at = f.end;
  }
  return out + text.slice(at);
}

/** How many findings of each type. */
export function countPii(findings: readonly Pick<PiiFinding, "type">[]): Partial<Record<PiiType, number>> {
  const counts: Partial<Record<PiiType, number>> = {};
  for (const f of findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
  return counts;
}
