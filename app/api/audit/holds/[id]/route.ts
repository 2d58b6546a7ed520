import { apiRoute } from "@/lib/auth/guards";
import { auditActor } from "@/lib/audit/actor";
import { releaseHold } from "@/lib/audit/holds";

/** Releases a legal hold; it stays on record. */
export const DELETE = apiRoute<{ id: string }>({ roles: "compliance" }, async ({ params, db, actor }) => {
  await releaseHold(db, auditActor(actor), params.id);
  return new Response(null, { status: 204 });
});
