import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { parseAsOf } from "@/lib/documents/effective";
import { readPassage } from "@/lib/documents/passage";
import { fromZodError } from "@/lib/errors";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });
const query = z
  .object({
    version: uuidSchema,
    start: z.coerce.number().int().min(0),
    end: z.coerce.number().int().min(1),
    /** A citation of an "as of" answer: the version in effect then may be read. */
    asOf: z.string().optional(),
  })
  .refine((q) => q.end > q.start, { message: "end must be greater than start.", path: ["end"] });

/** `?version=&start=&end=`: a cited passage with its surrounding text, for readers of the document. */
export const GET = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  return readPassage(db, actor, {
    documentId: id,
    versionId: parsed.data.version,
    start: parsed.data.start,
    end: parsed.data.end,
    ...(parsed.data.asOf !== undefined ? { asOf: parseAsOf(parsed.data.asOf) } : {}),
  });
});
