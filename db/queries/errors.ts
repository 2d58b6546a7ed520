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

/** Postgres foreign_key_violation: a row is still referenced (or references nothing). */
export function isForeignKeyViolation(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23503") return true;
  }
  return false;
}
