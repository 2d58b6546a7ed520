import { z } from "zod";
import { requireCollection } from "@/lib/auth/access";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { restrictionSchema } from "@/lib/collections/schemas";
import { deleteDocument, requireActiveDocument, restrictDocument } from "@/lib/documents/manage";
import { env } from "@/lib/env";
import { documentDetailForCaller } from "@/lib/documents/original";
import { getChunkIndex } from "@/lib/server/index-runtime";
import { uuidSchema } from "@/lib/users/schemas";
import { auditActor } from "@/lib/audit/actor";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  return documentDetailForCaller(db, actor, id);
});

/** `{ "restrictedTo": ["group name", …] }`; an empty list lifts the restriction. */
export const PATCH = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const doc = await requireActiveDocument(db, id);
  await requireCollection(db, actor, doc.collectionId, "manage");
  const { restrictedTo } = await readJson(req, restrictionSchema);
  const groups = await restrictDocument(db, await getChunkIndex(), {
    documentId: id,
    groupNames: restrictedTo,
    by: auditActor(actor),
  });
  return { id, restrictedTo: groups.map((g) => g.name) };
});

export const DELETE = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const doc = await requireActiveDocument(db, id);
  await requireCollection(db, actor, doc.collectionId, "manage");
  const result = await deleteDocument(db, await getChunkIndex(), {
    documentId: id,

    dataDir: env().dataDir,
    by: auditActor(actor),
  });
  return { id, deleted: true, ...result };
});
