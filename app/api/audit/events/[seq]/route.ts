import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { readAuditEvent } from "@/lib/audit/service";

const params = z.object({ seq: z.coerce.number().int().positive() });

/** One event; for an answer, also its citations with the passages as they were then. The read is recorded. */
export const GET = apiRoute<{ seq: string }>({ roles: "compliance" }, async ({ params: p, db, actor }) => {
  const { seq } = parseParams(p, params);
  return readAuditEvent({ actor, db }, seq);
});
