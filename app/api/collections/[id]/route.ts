import { z } from "zod";
import { requireCollection } from "@/lib/auth/access";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { changeCollection, changeCollectionPolicy, removeCollection } from "@/lib/collections/admin";
import { requireCollectionById } from "@/lib/collections/listing";
import { collectionPatchSchema } from "@/lib/collections/schemas";
import { AppError } from "@/lib/errors";
import { collectionJson } from "@/lib/collections/serialize";
import { env } from "@/lib/env";
import { getChunkIndex } from "@/lib/server/index-runtime";
import { uuidSchema } from "@/lib/users/schemas";
import { auditActor } from "@/lib/audit/actor";

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
  const isAdmin = actor.roles.includes("admin");
  const body = await readJson(req, collectionPatchSchema);
  if (!isAdmin && (body.name !== undefined || body.description !== undefined)) {
    throw new AppError("forbidden", "You do not have permission to do this.");
  }
  const { access } = await requireCollection(db, actor, id, "manage");
  let requeued: number | undefined;
  if (body.privacy)
    requeued = (
      await changeCollectionPolicy(db, id, {
        patch: body.privacy,
        recheck: body.recheck,

        by: auditActor(actor),
      })
    ).requeued;
  const { name, description } = body;
  const updated =
    name !== undefined || description !== undefined
      ? await changeCollection(db, id, { name, description }, auditActor(actor))
      : await requireCollectionById(db, id);
  return {
    ...collectionJson(updated!, isAdmin ? "admin" : (access ?? "manage")),
    ...(requeued !== undefined ? { requeued } : {}),
  };
});

/** DELETE /api/collections/:id?confirm=<exact collection name> */
export const DELETE = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  await requireCollection(db, actor, id, "manage");
  const confirm = new URL(req.url).searchParams.get("confirm");
  const result = await removeCollection(db, {
    id,
    confirm,
    dataDir: env().dataDir,
    chunks: await getChunkIndex(),
    by: auditActor(actor),
  });
  return result;
});
