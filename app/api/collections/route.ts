import { apiRoute, readJson } from "@/lib/auth/guards";
import { addCollection } from "@/lib/collections/admin";
import { listCollectionsFor } from "@/lib/collections/listing";
import { createCollectionSchema } from "@/lib/collections/schemas";
import { collectionJson } from "@/lib/collections/serialize";

/** Collections the caller may read through grants; administrators also see every other one (access "admin"). */
export const GET = apiRoute({}, async ({ db, actor }) => {
  return { collections: (await listCollectionsFor(db, actor)).map((c) => collectionJson(c, c.access)) };
});

export const POST = apiRoute({ roles: "admin" }, async ({ req, db, actor }) => {
  const input = await readJson(req, createCollectionSchema);
  const { id } = await addCollection({ actor, db }, input);
  return Response.json({ id, name: input.name, description: input.description }, { status: 201 });
});
