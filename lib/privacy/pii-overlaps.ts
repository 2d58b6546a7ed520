// Which finding wins where two overlap, and the confidence below which findings are dropped.
// Kept apart from the detectors (and their phone and card metadata) so the browser's secret
// check can share it.

import type { PiiFinding, PiiType } from "./pii-types";

export const DEFAULT_MIN_CONFIDENCE = 0.5;

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
