import { apiRoute, readJson } from "@/lib/auth/guards";
import { holdSchema, listHolds, placeLegalHold } from "@/lib/audit/holds";

export const GET = apiRoute({ roles: "compliance" }, async ({ db, actor }) => ({
  holds: await listHolds({ actor, db }),
}));

/** `{ user: email | id, reason }` or `{ collection: name | id, reason }`. */
export const POST = apiRoute({ roles: "compliance" }, async ({ req, db, actor }) => {
  const input = await readJson(req, holdSchema);
  return Response.json(await placeLegalHold({ actor, db }, input), { status: 201 });
});
