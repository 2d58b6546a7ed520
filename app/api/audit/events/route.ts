import { z } from "zod";
import { apiRoute } from "@/lib/auth/guards";
import { parseAuditFilters } from "@/lib/audit/filters";
import { readAuditLog } from "@/lib/audit/service";
import { fromZodError } from "@/lib/errors";

const paging = z.object({
  before: z.coerce
    .number()
    .int("before must be a sequence number.")
    .positive("before must be a sequence number.")
    .optional(),
  limit: z.coerce.number().int().min(1, "limit must be 1 to 500.").max(500, "limit must be 1 to 500.").default(50),
});

/** GET /api/audit/events?from&to&user&collection&document&type&q&before&limit: newest first; recorded as one read. */
export const GET = apiRoute({ roles: "compliance" }, async ({ req, db, actor }) => {
  const params = new URL(req.url).searchParams;
  const filters = parseAuditFilters(params);
  const page = paging.safeParse({ before: params.get("before") ?? undefined, limit: params.get("limit") ?? undefined });
  if (!page.success) throw fromZodError(page.error, "paging");
  return readAuditLog({ actor, db }, { filters, beforeSeq: page.data.before, limit: page.data.limit });
});
