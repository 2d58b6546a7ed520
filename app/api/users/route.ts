import { apiRoute, readJson } from "@/lib/auth/guards";
import { addUser, listAllUsers } from "@/lib/users/admin";
import { createUserSchema } from "@/lib/users/schemas";
import { userJson } from "@/lib/users/serialize";

export const GET = apiRoute({ roles: "admin" }, async ({ db }) => ({ users: (await listAllUsers(db)).map(userJson) }));

export const POST = apiRoute({ roles: "admin" }, async ({ req, db, actor }) => {
  const input = await readJson(req, createUserSchema);
  const user = await addUser({ actor, db }, input);
  return Response.json(userJson(user), { status: 201 });
});
