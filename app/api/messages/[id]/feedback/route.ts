import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { rateMyAnswer } from "@/lib/chat/conversations";
import { feedbackSchema } from "@/lib/chat/schemas";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

/** `{ rating: 1 | -1, comment? }` on one of the caller's own answers. */
export const POST = apiRoute<{ id: string }>({ scope: "chat" }, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const input = await readJson(req, feedbackSchema);
  return rateMyAnswer(db, actor, id, input);
});
