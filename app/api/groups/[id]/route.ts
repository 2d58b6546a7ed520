import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { getGroupWithMembers, removeGroup } from "@/lib/groups/admin";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({ roles: "admin" }, async ({ params: p, db }) => {
  const { id } = parseParams(p, params);
  const group = await getGroupWithMembers(db, id);
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    createdAt: group.createdAt,
    members: group.members.map((m) => ({
      id: m.id,
      email: m.email,
      name: m.name,
      disabled: m.disabled,
      addedAt: m.addedAt,
    })),
  };
});

export const DELETE = apiRoute<{ id: string }>({ roles: "admin" }, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  await removeGroup({ actor, db }, id);
  return new Response(null, { status: 204 });
});
