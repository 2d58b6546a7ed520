import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { acceptUploads } from "@/lib/documents/intake";
import { listCollectionDocuments } from "@/lib/documents/listing";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { documents } = await listCollectionDocuments(db, actor, id);
  return { documents: documents.map(({ readable: _readable, ...d }) => d) };
});

/** Multipart upload of one or more files (any field name). 202 with a document and job per file. */
export const POST = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { status, files } = await acceptUploads({ actor, db }, req, { collectionId: id });
  return Response.json({ files }, { status });
});
