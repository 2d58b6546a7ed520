import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { removeMember } from "@/lib/groups/admin";
import { uuidSchema } from "@/lib/users/schemas";
import { auditActor } from "@/lib/audit/actor";

const params = z.object({ id: uuidSchema, userId: uuidSchema });

export const DELETE = apiRoute<{ id: string; userId: string }>({ roles: "admin" }, async ({ params: p, db, actor }) => {
  const { id, userId } = parseParams(p, params);
  await removeMember(db, { groupId: id, userId }, auditActor(actor));
  return new Response(null, { status: 204 });
});
