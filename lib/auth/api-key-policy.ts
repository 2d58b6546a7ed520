import { z } from "zod";
import { API_KEY_SCOPES, type ApiKeyScope } from "@/db/schema";
import { AppError } from "@/lib/errors";

// How long an API key lives and what it may be used for (ADR 0014). Pure rules, shared by the
// CLI, the Profile page, the JSON route and the guard, so each gives the same answer.

export { API_KEY_SCOPES, type ApiKeyScope };

const DAY_MS = 86_400_000;
const UNIT_DAYS: Record<string, number> = { d: 1, w: 7, y: 365 };

export const apiKeyScopesSchema = z
  .array(z.enum(API_KEY_SCOPES, { error: `A scope is one of ${API_KEY_SCOPES.join(", ")}.` }))
  .min(1, `Choose at least one scope: ${API_KEY_SCOPES.join(", ")}.`)
  .transform((scopes) => API_KEY_SCOPES.filter((s) => scopes.includes(s)));

export const expiresInDaysSchema = z.coerce
  .number({ error: "The expiry must be a number of days." })
  .int("The expiry must be a whole number of days.")
  .min(1, "An API key must live at least one day.");

/** Reads the CLI's `--expires-in` (90d, 12w, 1y; a bare number is days) as a number of days. */
export function parseExpiresIn(text: string): number {
  const match = /^\s*(\d{1,5})\s*([dwy]?)\s*$/i.exec(text);
  if (!match?.[1]) {
    throw new AppError("invalid_request", `--expires-in must look like 90d, 12w or 1y, not "${text}".`);
  }
  const days = Number(match[1]) * (UNIT_DAYS[(match[2] || "d").toLowerCase()] ?? 1);
  if (days < 1) throw new AppError("invalid_request", "--expires-in must be at least 1d.");
  return days;
}

/** When a new key expires: after `days` (the server maximum when not given), never past the maximum. */
export function newKeyExpiry(days: number | undefined, maxDays: number, now = new Date()): Date {
  const wanted = days ?? maxDays;
  if (!Number.isInteger(wanted) || wanted < 1) {
    throw new AppError("invalid_request", "An API key must live a whole number of days, at least one.");
  }
  if (wanted > maxDays) {
    throw new AppError(
      "invalid_request",
      `An API key may live at most ${maxDays} days on this server (API_KEY_MAX_DAYS); ask for ${maxDays} days or fewer.`,
    );
  }
  return new Date(now.getTime() + wanted * DAY_MS);
}

/**
 * When a key stops working: its own expiry, or the server maximum counted from its creation,
 * whichever is sooner. Lowering API_KEY_MAX_DAYS therefore shortens keys already issued too.
 */
export function effectiveKeyExpiry(key: { createdAt: Date; expiresAt: Date | null }, maxDays: number): Date {
  const cap = key.createdAt.getTime() + maxDays * DAY_MS;
  return new Date(Math.min(key.expiresAt?.getTime() ?? cap, cap));
}

/**
 * The scope a request needs when it comes with a key. Routes name it where the rule below would
 * be wrong (chat); otherwise anything a role restricts, and any write, needs `admin`, and the
 * remaining reads need `read`.
 */
export function requiredScope(
  method: string,
  route: { scope?: ApiKeyScope; roles?: unknown; rateLimited?: boolean },
): ApiKeyScope {
  if (route.scope) return route.scope;
  if (route.rateLimited) return "chat";
  if (route.roles) return "admin";
  return method === "GET" || method === "HEAD" ? "read" : "admin";
}

/** What a person asks for when creating a key, from the JSON route, the Profile form or the CLI. */
export const newApiKeyRequestSchema = z.object({
  expiresInDays: z.preprocess((v) => (v === "" ? undefined : v), expiresInDaysSchema.optional()),
  // A form sends one checkbox as a string and several as an array.
  scopes: z.preprocess(
    (v) => (v === undefined || v === "" ? undefined : Array.isArray(v) ? v : [v]),
    apiKeyScopesSchema.optional(),
  ),
});
