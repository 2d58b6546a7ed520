import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { deleteDocument, restrictDocument } from "@/lib/documents/manage";
import { env } from "@/lib/env";
import { documentDetailForCaller } from "@/lib/documents/original";
import { getChunkIndex } from "@/lib/server/index-runtime";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  return documentDetailForCaller(db, actor, id);
});

/** `{ "restrictedTo": ["group name", …] }`; an empty list lifts the restriction (checked by the verb, after the right to). */
const restrictBody = z.object({ restrictedTo: z.unknown().optional() });

export const PATCH = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { restrictedTo } = await readJson(req, restrictBody);
  const groups = await restrictDocument({ actor, db }, await getChunkIndex(), { documentId: id, restrictedTo });
  return { id, restrictedTo: groups.map((g) => g.name) };
});

export const DELETE = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { removedChunks } = await deleteDocument({ actor, db }, await getChunkIndex(), {
    documentId: id,
    dataDir: env().dataDir,
  });
  return { id, deleted: true, removedChunks };
});
