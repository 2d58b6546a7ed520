import "server-only";
import { z } from "zod";
import type { Executor } from "@/db/client";
import type { AuditQuery } from "@/db/queries/audit";
import { getCollectionByName } from "@/db/queries/collections";
import { getUserByEmail } from "@/db/queries/users";
import { AppError, fromZodError } from "@/lib/errors";
import { AUDIT_EVENT_TYPES } from "./types";

// The console's filters, shared by the log page, the events API, exports (HTTP and CLI):
// one parser, so a filter means the same everywhere and an export records exactly what it used.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const PREFIXES = [...new Set(AUDIT_EVENT_TYPES.map((t) => `${t.split(".")[0]}.`))];
/** Plural names people use for a family: `type=reads` is the read family. */
const FAMILY_ALIASES: Record<string, string> = { reads: "read" };

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const instant = (which: "from" | "to") =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine(
        (v) => DATE_ONLY.test(v) || !Number.isNaN(Date.parse(v)),
        `${which} must be a date (YYYY-MM-DD) or an ISO date and time.`,
      )
      .optional(),
  );

export const auditFilterSchema = z.object({
  from: instant("from"),
  to: instant("to"),
  user: z.preprocess(blankToUndefined, z.string().trim().max(320, "user is too long.").optional()),
  collection: z.preprocess(blankToUndefined, z.string().trim().max(200, "collection is too long.").optional()),
  document: z.preprocess(blankToUndefined, z.string().trim().regex(UUID, "document must be a document id.").optional()),
  type: z.preprocess(
    (v) => {
      const list = (Array.isArray(v) ? v : [v])
        .flatMap((x) => (typeof x === "string" ? x.split(",") : []))
        .map((x) => x.trim())
        .filter(Boolean)
        .map((x) => FAMILY_ALIASES[x] ?? x);
      return list.length > 0 ? list : undefined;
    },
    z
      .array(
        z
          .string()
          .refine(
            (t) =>
              (AUDIT_EVENT_TYPES as readonly string[]).includes(t) ||
              PREFIXES.includes(t) ||
              PREFIXES.includes(`${t}.`),
            {
              error: (issue) =>
                `Unknown event type "${String(issue.input)}"; use a type such as question.answered or a family such as question.`,
            },
          ),
      )
      .max(40)
      .optional(),
  ),
  q: z.preprocess(blankToUndefined, z.string().trim().max(500, "q must be at most 500 characters.").optional()),
});

export type AuditFilters = z.infer<typeof auditFilterSchema>;

/** Reads filters from URL search parameters (or any record); bad values are a 400 naming them. */
export function parseAuditFilters(input: URLSearchParams | Record<string, unknown>): AuditFilters {
  const raw: Record<string, unknown> = {};
  if (input instanceof URLSearchParams) {
    for (const key of ["from", "to", "user", "collection", "document", "q"]) raw[key] = input.get(key) ?? undefined;
    raw.type = input.getAll("type");
  } else {
    Object.assign(raw, input);
  }
  const parsed = auditFilterSchema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error, "filter");
  const f = parsed.data;
  if (f.from && f.to && toBound(f.from, "from") >= toBound(f.to, "to")) {
    throw new AppError("invalid_request", "Invalid filter: from must be before to.");
  }
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as AuditFilters;
}

/** A date alone means the whole day (UTC): from its start, to the end of it. */
function toBound(value: string, which: "from" | "to"): Date {
  if (DATE_ONLY.test(value)) {
    const d = new Date(`${value}T00:00:00.000Z`);
    if (which === "to") d.setUTCDate(d.getUTCDate() + 1);
    return d;
  }
  return new Date(value);
}

/** Turns filters into a query: emails and collection names are looked up now. */
export async function resolveAuditFilters(db: Executor, f: AuditFilters): Promise<AuditQuery> {
  const query: AuditQuery = {};
  if (f.from) query.from = toBound(f.from, "from");
  if (f.to) query.to = toBound(f.to, "to");
  if (f.user) {
    if (UUID.test(f.user)) query.userId = f.user.toLowerCase();
    else {
      const user = await getUserByEmail(db, { email: f.user });
      // A person whose account is gone is still found by the email recorded on their events.
      if (user) query.userId = user.id;
      else query.actorEmail = f.user.toLowerCase();
    }
  }
  if (f.collection) {
    if (UUID.test(f.collection)) query.collectionId = f.collection.toLowerCase();
    else {
      const c = await getCollectionByName(db, { name: f.collection });
      if (!c)
        throw new AppError(
          "invalid_request",
          `Invalid filter: no collection named "${f.collection}"; give its id to find a deleted one.`,
        );
      query.collectionId = c.id;
    }
  }
  if (f.document) query.documentId = f.document.toLowerCase();
  if (f.type) query.types = f.type.map((t) => (PREFIXES.includes(`${t}.`) ? `${t}.` : t));
  if (f.q) query.text = f.q;
  return query;
}

/** Filters as URL search parameters (for links and the export button). */
export function filtersToSearchParams(f: AuditFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, x);
    else p.set(k, v);
  }
  return p;
}
