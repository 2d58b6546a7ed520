import { z } from "zod";
import { apiRoute } from "@/lib/auth/guards";
import { verifyAndRecord } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";

const anchorSchema = z
  .string()
  .regex(/^\d+:[0-9a-f]{64}$/, "anchor must be <seq>:<64 hex characters>, as an export's chainHead gives it.")
  .transform((v) => ({ seq: Number(v.split(":")[0]), hash: v.split(":")[1]! }));

/** GET /api/audit/verify[?anchor=seq:hash]: walks the chain; the check is itself recorded. */
export const GET = apiRoute({ roles: "compliance" }, async ({ req, db, actor }) => {
  const raw = new URL(req.url).searchParams.get("anchor");
  const anchor = raw ? anchorSchema.safeParse(raw) : null;
  if (anchor && !anchor.success) throw new AppError("invalid_request", anchor.error.issues[0]!.message);
  return verifyAndRecord({ actor, db }, { anchor: anchor?.data });
});
