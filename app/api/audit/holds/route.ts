import { apiRoute, readJson } from "@/lib/auth/guards";
import { auditActor } from "@/lib/audit/actor";
import { holdSchema, listHolds, placeLegalHold } from "@/lib/audit/holds";

export const GET = apiRoute({ roles: "compliance" }, async ({ db }) => ({ holds: await listHolds(db) }));

/** `{ user: email | id, reason }` or `{ collection: name | id, reason }`. */
export const POST = apiRoute({ roles: "compliance" }, async ({ req, db, actor }) => {
  const input = await readJson(req, holdSchema);
  return Response.json(await placeLegalHold(db, auditActor(actor), input), { status: 201 });
});
