import { z } from "zod";
import { apiRoute } from "@/lib/auth/guards";
import { auditActor } from "@/lib/audit/actor";
import { exportResponseBody, startAuditExport } from "@/lib/audit/export";
import { parseAuditFilters } from "@/lib/audit/filters";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

const formatSchema = z.enum(["csv", "jsonl"]);

/** GET /api/audit/export?format=csv|jsonl&from&to&user&collection&document&type&q: streamed, signed. */
export const GET = apiRoute({ roles: "compliance" }, async ({ req, db, actor }) => {
  const params = new URL(req.url).searchParams;
  const format = formatSchema.safeParse(params.get("format") ?? "jsonl");
  if (!format.success) throw new AppError("invalid_request", "format must be csv or jsonl.");
  const filters = parseAuditFilters(params);
  const exp = await startAuditExport(
    { actor: auditActor(actor), db },
    { format: format.data, filters, key: loadSigningKey(env()) },
  );
  return new Response(exportResponseBody(exp.chunks), {
    headers: {
      "content-type": exp.contentType,
      "content-disposition": `attachment; filename="${exp.fileName}"`,
      "cache-control": "no-store",
    },
  });
});
