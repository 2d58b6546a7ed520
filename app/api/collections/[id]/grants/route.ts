import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { addGrant, grantsJson } from "@/lib/collections/admin";
import { requireCollectionById } from "@/lib/collections/listing";
import { grantSchema } from "@/lib/collections/schemas";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({ roles: "admin" }, async ({ params: p, db }) => {
  const { id } = parseParams(p, params);
  await requireCollectionById(db, id);
  return { grants: await grantsJson(db, id) };
});

/** `{ "group": name }` or `{ "role": name }`, with `"access": "read" | "manage"`; granting again changes the access. */
export const POST = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const input = await readJson(req, grantSchema);
  const grant = await addGrant({ actor, db }, id, input);
  const grants = await grantsJson(db, id);
  return Response.json(
    grants.find((g) => g.id === grant.id),
    { status: 201 },
  );
});
