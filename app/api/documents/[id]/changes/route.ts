import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { documentChanges } from "@/lib/documents/changes";
import { fromZodError } from "@/lib/errors";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });
const query = z.object({ from: uuidSchema.optional(), to: uuidSchema.optional() });

/** `?from=&to=` (version ids; default: the version in effect and the one before it): sections added, removed, changed. */
export const GET = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  return documentChanges(db, actor, { documentId: id, ...parsed.data });
});
