import { listCollections } from "@/db/queries/collections";
import { resolveReadScope } from "@/lib/auth/access";
import { apiRoute, readJson } from "@/lib/auth/guards";
import { addCollection } from "@/lib/collections/admin";
import { createCollectionSchema } from "@/lib/collections/schemas";
import { collectionJson } from "@/lib/collections/serialize";
import { auditActor } from "@/lib/audit/actor";

/** Collections the caller may read through grants; administrators also see every other one (access "admin"). */
export const GET = apiRoute({}, async ({ db, actor }) => {
  const scope = await resolveReadScope(db, actor);
  const granted = scope.collections.map((c) => collectionJson(c, c.access));
  if (!actor.roles.includes("admin")) return { collections: granted };
  const grantedIds = new Set(scope.collectionIds);
  const others = (await listCollections(db))
    .filter((c) => !grantedIds.has(c.id))
    .map((c) => collectionJson(c, "admin"));
  return { collections: [...granted, ...others].sort((a, b) => a.name.localeCompare(b.name)) };
});

export const POST = apiRoute({ roles: "admin" }, async ({ req, db, actor }) => {
  const input = await readJson(req, createCollectionSchema);
  const { id } = await addCollection(db, input, auditActor(actor));
  return Response.json({ id, name: input.name, description: input.description }, { status: 201 });
});
