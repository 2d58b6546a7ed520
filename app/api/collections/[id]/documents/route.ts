import { z } from "zod";
import { listDocuments } from "@/db/queries/documents";
import { requireCollection } from "@/lib/auth/access";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { acceptUploads } from "@/lib/documents/intake";
import { readerListingVersion } from "@/lib/documents/effective";
import { documentListingJson } from "@/lib/documents/serialize";
import { visibleToReader } from "@/lib/documents/visibility";
import { uuidSchema } from "@/lib/users/schemas";
import { auditActor } from "@/lib/audit/actor";

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { access, isAdmin } = await requireCollection(db, actor, id, "list");
  const canManage = isAdmin || access === "manage";
  const listing = await listDocuments(db, {
    collectionId: id,
    ...(canManage ? {} : { latestId: (times) => readerListingVersion(times) }),
  });
  const docs = visibleToReader(listing, actor, canManage);
  return { documents: docs.map((d) => documentListingJson(d, { withScan: canManage })) };
});

/** Multipart upload of one or more files (any field name). 202 with a document and job per file. */
export const POST = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  await requireCollection(db, actor, id, "manage");
  const { status, files } = await acceptUploads(db, req, {
    collectionId: id,
    uploaderId: actor.id,
    by: auditActor(actor),
  });
  return Response.json({ files }, { status });
});
