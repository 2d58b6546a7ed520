// Personal, health and secret data in text, found locally: no model, no network. Each detector
// gives its findings a confidence from how the value looks and from the words around it; the
// ones below `minConfidence` are dropped, and where two findings overlap the stronger one wins.

import type { CountryCode } from "libphonenumber-js/max";
import { DEFAULT_MIN_CONFIDENCE, resolveOverlaps } from "./pii-overlaps";
import { MASK_TOKENS, PII_TYPES, type PiiFinding, type PiiType } from "./pii-types";
import { detectEmails, detectIps, detectPhones } from "./pii/contact";
import { detectDatesOfBirth } from "./pii/dates";
import { detectMrns } from "./pii/mrn";
import { detectNames } from "./pii/names";
import { detectCards, detectIbans, detectSsn } from "./pii/numbers";
import { detectPasswords, detectSecrets } from "./pii/secrets";

export { DEFAULT_MIN_CONFIDENCE, resolveOverlaps } from "./pii-overlaps";
export {
  describePiiCounts,
  isPiiType,
  MASK_TOKENS,
  PII_LABELS,
  PII_TYPES,
  type PiiFinding,
  type PiiType,
} from "./pii-types";

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

export function detectPii(text: string, opts: DetectPiiOptions = {}): PiiFinding[] {
  const types = opts.types ?? PII_TYPES;
  const min = opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const all: PiiFinding[] = [];
  for (const type of types) {
    for (const f of DETECTORS[type](text, opts)) if (f.confidence >= min) all.push(f);
  }
  return resolveOverlaps(all);
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
