import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { removeMember } from "@/lib/groups/admin";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema, userId: uuidSchema });

export const DELETE = apiRoute<{ id: string; userId: string }>({ roles: "admin" }, async ({ params: p, db, actor }) => {
  const { id, userId } = parseParams(p, params);
  await removeMember({ actor, db }, { groupId: id, userId });
  return new Response(null, { status: 204 });
});
