import "server-only";

/** Postgres unique_violation, as raised by both drivers (possibly wrapped by drizzle). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === "23505") {
      if (!constraint) return true;
      const c = (e as { constraint?: string }).constraint;
      const detail = String((e as { message?: string }).message ?? "");
      return c === constraint || detail.includes(constraint);
    }
  }
  return false;
}

/**
 * A row is still referenced (or references nothing): foreign_key_violation, or the
 * restrict_violation that newer servers raise for ON DELETE RESTRICT.
 */
export function isForeignKeyViolation(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === "23503" || code === "23001") return true;
  }
  return false;
}
