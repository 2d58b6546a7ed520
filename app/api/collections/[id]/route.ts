import { z } from "zod";
import { requireCollection } from "@/lib/auth/access";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { changeCollection, removeCollection } from "@/lib/collections/admin";
import { updateCollectionSchema } from "@/lib/collections/schemas";
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

export const PATCH = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  await requireCollection(db, actor, id, "manage");
  const changes = await readJson(req, updateCollectionSchema);
  const updated = await changeCollection(db, id, changes, auditActor(actor));
  return collectionJson(updated!, "admin");
});

/** DELETE /api/collections/:id?confirm=<exact collection name> */
export const DELETE = apiRoute<{ id: string }>({ roles: "admin" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  await requireCollection(db, actor, id, "manage");
  const confirm = new URL(req.url).searchParams.get("confirm");
  const result = await removeCollection(db, { id, confirm, dataDir: env().dataDir, chunks: await getChunkIndex(), by: auditActor(actor) });
  return result;
});
