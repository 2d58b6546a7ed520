import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { parseEffectiveDate } from "@/lib/documents/effective";
import { changeEffectiveDates } from "@/lib/documents/schedule";
import { getChunkIndex } from "@/lib/server/index-runtime";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema, versionId: uuidSchema });
const body = z.strictObject({
  effectiveFrom: z.string().optional(),
  /** null lifts an explicit end. */
  effectiveUntil: z.string().nullable().optional(),
});

/** `{ "effectiveFrom"?: date, "effectiveUntil"?: date | null }`: when a version is in effect; for the collection's managers. */
export const PATCH = apiRoute<{ id: string; versionId: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id, versionId } = parseParams(p, params);
  const input = await readJson(req, body);
  return changeEffectiveDates({ actor, db }, await getChunkIndex(), {
    documentId: id,
    versionId,
    ...(input.effectiveFrom !== undefined
      ? { effectiveFrom: parseEffectiveDate(input.effectiveFrom, "effectiveFrom") }
      : {}),
    ...(input.effectiveUntil !== undefined
      ? {
          effectiveUntil:
            input.effectiveUntil === null ? null : parseEffectiveDate(input.effectiveUntil, "effectiveUntil"),
        }
      : {}),
  });
});
