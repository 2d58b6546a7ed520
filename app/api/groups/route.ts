import { apiRoute, readJson } from "@/lib/auth/guards";
import { addGroup, listAllGroups } from "@/lib/groups/admin";
import { createGroupSchema } from "@/lib/users/schemas";

export const GET = apiRoute({ roles: "admin" }, async ({ db }) => ({ groups: await listAllGroups(db) }));

export const POST = apiRoute({ roles: "admin" }, async ({ req, db, actor }) => {
  const input = await readJson(req, createGroupSchema);
  const group = await addGroup({ actor, db }, input);
  return Response.json(
    { id: group.id, name: group.name, description: group.description, createdAt: group.createdAt },
    { status: 201 },
  );
});
