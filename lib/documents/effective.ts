// Effective intervals of a document's versions. A published version is in effect from its
// effectiveFrom until the next published version's effectiveFrom or its own explicit end
// (a withdrawal), whichever comes first. The interval is derived, never stored twice in Postgres:
// the index carries a copy per chunk (effective_from_ms / effective_until_ms) so that "as of"
// retrieval is a filter inside the LanceDB query, and ingestion and editing keep that copy in step.

import { AppError } from "@/lib/errors";
import { OPEN_END_MS } from "@/lib/vector/effective-filter";

export { OPEN_END_MS };

/** Statuses whose versions are (or were) in force and searchable. */
export const PUBLISHED_STATUSES = ["ready", "superseded"] as const;

export interface VersionTimes {
  id: string;
  versionNumber: number;
  status: string;
  effectiveFrom: Date;
  /** The explicit end only (withdrawn); the derived end is in Interval. */
  effectiveUntil: Date | null;
}

export interface Interval {
  from: Date;
  /** Exclusive; null: open-ended. */
  until: Date | null;
}

export const isPublished = (status: string) => (PUBLISHED_STATUSES as readonly string[]).includes(status);

/** Published versions in the order they take effect (ties: the later upload wins). */
function effectOrder<T extends VersionTimes>(versions: readonly T[]): T[] {
  return versions
    .filter((v) => isPublished(v.status))
    .sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || a.versionNumber - b.versionNumber);
}

/** The interval of every published version of one document, by version id. */
export function versionIntervals(versions: readonly VersionTimes[]): Map<string, Interval> {
  const ordered = effectOrder(versions);
  const out = new Map<string, Interval>();
  ordered.forEach((v, i) => {
    const next = ordered[i + 1]?.effectiveFrom ?? null;
    const ends = [next, v.effectiveUntil].filter((d): d is Date => d !== null).map((d) => d.getTime());
    const until = ends.length > 0 ? new Date(Math.min(...ends)) : null;
    out.set(v.id, { from: v.effectiveFrom, until });
  });
  return out;
}

export function inEffect(interval: Interval | undefined, at: Date): boolean {
  if (!interval) return false;
  const t = at.getTime();
  return interval.from.getTime() <= t && (interval.until === null || t < interval.until.getTime());
}

/** The latest published version: the one that is (or, if scheduled, will be) in effect last. */
export function latestPublished<T extends VersionTimes>(versions: readonly T[]): T | null {
  return effectOrder(versions).at(-1) ?? null;
}

/** The version in effect at `at`, or null (none yet, all withdrawn, or a gap). */
export function versionInEffect<T extends VersionTimes>(versions: readonly T[], at: Date): T | null {
  const intervals = versionIntervals(versions);
  return versions.find((v) => inEffect(intervals.get(v.id), at)) ?? null;
}

/** Where a version stands on its timeline now; null for versions that were never published. */
export type EffectState = "scheduled" | "in_effect" | "ended";

export function effectState(interval: Interval | null | undefined, now: Date): EffectState | null {
  if (!interval) return null;
  if (interval.from.getTime() > now.getTime()) return "scheduled";
  return inEffect(interval, now) ? "in_effect" : "ended";
}

export function intervalMs(interval: Interval): { effectiveFromMs: number; effectiveUntilMs: number } {
  return { effectiveFromMs: interval.from.getTime(), effectiveUntilMs: interval.until?.getTime() ?? OPEN_END_MS };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO date (`2025-01-01`, midnight UTC) or date-time with a zone (`2025-01-01T08:00:00Z`), or
 * invalid_request naming the field. A date-time without a zone is refused: which midnight was meant
 * cannot be guessed.
 */
export function parseEffectiveDate(value: unknown, field: string): Date {
  const text = typeof value === "string" ? value.trim() : "";
  const shaped = DATE_ONLY.test(text) || DATE_TIME.test(text);
  const date = shaped ? new Date(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text) : null;
  // Date accepts 2025-02-30 and rolls it over; the round trip catches that.
  if (!date || Number.isNaN(date.getTime()) || (DATE_ONLY.test(text) && date.toISOString().slice(0, 10) !== text)) {
    throw new AppError(
      "invalid_request",
      `${field} must be an ISO date (2025-01-01) or a date and time with a zone (2025-01-01T08:00:00Z); got ${JSON.stringify(typeof value === "string" ? value.slice(0, 40) : value)}.`,
    );
  }
  if (date.getUTCFullYear() < 1900 || date.getUTCFullYear() > 9999)
    throw new AppError("invalid_request", `${field} must lie between the years 1900 and 9999.`);
  return date;
}

/**
 * The moment an `asOf` question is asked for. A bare date means the end of that day (what was in
 * effect on it, changes made that day included), but never later than now: questions never see
 * scheduled versions. A moment after now is refused.
 */
export function parseAsOf(value: unknown, now: Date = new Date()): Date {
  const text = typeof value === "string" ? value.trim() : "";
  const date = parseEffectiveDate(value, "asOf");
  if (date.getTime() > now.getTime() && !(DATE_ONLY.test(text) && text === now.toISOString().slice(0, 10)))
    throw new AppError("invalid_request", "asOf must not lie in the future: questions cannot see scheduled versions.");
  const at = DATE_ONLY.test(text) ? new Date(date.getTime() + 86_400_000 - 1) : date;
  return at.getTime() > now.getTime() ? now : at;
}

/** "2025-01-01 to 2026-02-28", "2025-01-01 onwards": how answers and tables state an interval (UTC days). */
export function describeInterval(interval: Interval): string {
  const from = interval.from.toISOString().slice(0, 10);
  if (!interval.until) return `${from} onwards`;
  // The end is exclusive: the last day in effect is the day before a midnight end.
  const last = new Date(interval.until.getTime() - 1).toISOString().slice(0, 10);
  return `${from} to ${last < from ? from : last}`;
}

/**
 * Which version a reader's listing shows: the one in effect now; for a document never published
 * (still processing, or failed) its newest version, as before; none when its published versions
 * are all scheduled or ended, so a scheduled document stays out of readers' sight.
 */
export function readerListingVersion(versions: readonly VersionTimes[], now: Date = new Date()): string | null {
  const current = versionInEffect(versions, now);
  if (current) return current.id;
  if (versions.some((v) => isPublished(v.status))) return null;
  return [...versions].sort((a, b) => b.versionNumber - a.versionNumber)[0]?.id ?? null;
}
