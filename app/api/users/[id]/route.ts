import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { requireUserById, updateUser } from "@/lib/users/admin";
import { updateUserSchema, uuidSchema } from "@/lib/users/schemas";
import { userJson } from "@/lib/users/serialize";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({ roles: "admin" }, async ({ params: p, db }) => {
  const { id } = parseParams(p, params);
  return userJson(await requireUserById(db, id));
});

export const PATCH = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const changes = await readJson(req, updateUserSchema);
  return userJson(await updateUser({ actor, db }, { userId: id, changes }));
});
