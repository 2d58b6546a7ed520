import { apiRoute } from "@/lib/auth/guards";
import { releaseHold } from "@/lib/audit/holds";

/** Releases a legal hold; it stays on record. */
export const DELETE = apiRoute<{ id: string }>({ roles: "compliance" }, async ({ params, db, actor }) => {
  await releaseHold({ actor, db }, params.id);
  return new Response(null, { status: 204 });
});
