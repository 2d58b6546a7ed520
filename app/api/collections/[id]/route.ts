import { z } from "zod";
import { requireCollection } from "@/lib/auth/access";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { changeCollection, changeCollectionPolicy, removeCollection } from "@/lib/collections/admin";
import { collectionPatchSchema } from "@/lib/collections/schemas";
import { collectionJson } from "@/lib/collections/serialize";
import { env } from "@/lib/env";
import { getChunkIndex } from "@/lib/server/index-runtime";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { collection, access } = await requireCollection(db, actor, id, "list");
  return collectionJson(collection, access ?? "admin");
});

/**
 * Name and description: administrators. The privacy policy (`privacy`, with `recheck: true` to
 * run current documents through it again): administrators and those who manage the collection.
 */
export const PATCH = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const body = await readJson(req, collectionPatchSchema);
  const { name, description } = body;
  // The rename goes first: a manager who also sent a name is refused before anything changed.
  if (name !== undefined || description !== undefined) await changeCollection({ actor, db }, id, { name, description });
  const requeued = body.privacy
    ? (await changeCollectionPolicy({ actor, db }, id, { patch: body.privacy, recheck: body.recheck })).requeued
    : undefined;
  const { collection, access, isAdmin } = await requireCollection(db, actor, id, "manage");
  return {
    ...collectionJson(collection, isAdmin ? "admin" : (access ?? "manage")),
    ...(requeued !== undefined ? { requeued } : {}),
  };
});

/** DELETE /api/collections/:id?confirm=<exact collection name> */
export const DELETE = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const confirm = new URL(req.url).searchParams.get("confirm");
  const result = await removeCollection(
    { actor, db },
    {
      id,
      confirm,
      dataDir: env().dataDir,
      chunks: await getChunkIndex(),
    },
  );
  return result;
});
