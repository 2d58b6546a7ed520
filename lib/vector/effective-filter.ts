// The effective-date rule as a LanceDB predicate, applied inside every search next to the access
// rule (access-filter.ts): a row is searchable at moment T iff its version was in effect then,
// effective_from_ms <= T < effective_until_ms. Current questions pass now, "as of" questions their
// date; a scheduled version (from in the future) and a superseded one (until in the past) are thus
// never ranked, returned or counted for a moment outside their interval.

/** Stands for "no end" in the table, so the rule stays two comparisons. Date's maximum. */
export const OPEN_END_MS = 8.64e15;

export function effectivePredicate(atMs: number): string {
  if (!Number.isFinite(atMs) || atMs < 0 || atMs >= OPEN_END_MS)
    throw new Error(`The effective moment must be epoch milliseconds, got ${atMs}.`);
  // An integer rendered without exponent: DataFusion reads it as a literal of the column's type.
  const t = Math.floor(atMs).toFixed(0);
  return `effective_from_ms <= ${t} AND effective_until_ms > ${t}`;
}
