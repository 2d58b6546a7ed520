import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { decideReviewItem, reviewDecisionSchema } from "@/lib/review/queue";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

/** `{ decision: "correct" | "incorrect" | "escalate" | "reopen", note }` (a note is required for incorrect). */
export const POST = apiRoute<{ id: string }>({ roles: "compliance" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const input = await readJson(req, reviewDecisionSchema);
  return decideReviewItem({ actor, db }, id, input);
});
