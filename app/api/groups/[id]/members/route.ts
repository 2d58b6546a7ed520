import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { addMemberByEmail, removeMember } from "@/lib/groups/admin";
import { requireUserByEmail } from "@/lib/users/admin";
import { addMemberSchema, uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

export const POST = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { email } = await readJson(req, addMemberSchema);
  const { user, added } = await addMemberByEmail({ actor, db }, { groupId: id, email });
  return Response.json({ groupId: id, userId: user.id, email: user.email, added }, { status: added ? 201 : 200 });
});

/** Removal by email, for scripts that know people by address rather than id. */
export const DELETE = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { email } = await readJson(req, addMemberSchema);
  const user = await requireUserByEmail(db, email);
  await removeMember({ actor, db }, { groupId: id, userId: user.id });
  return new Response(null, { status: 204 });
});
