import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { readReviewItem } from "@/lib/review/queue";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

/** One item with its flags, the asker's feedback, its history and the answer's audit record. */
export const GET = apiRoute<{ id: string }>({ roles: "compliance" }, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  return readReviewItem({ actor, db }, id);
});
