import { apiRoute } from "@/lib/auth/guards";
import { listMyConversations } from "@/lib/chat/conversations";
import { listConversationsSchema } from "@/lib/chat/schemas";
import { fromZodError } from "@/lib/errors";

/**
 * `?q=&cursor=&limit=`: the caller's own conversations, most recently active first, a page at a
 * time; `q` keeps those whose title or messages contain it. `nextCursor` is null on the last page.
 */
export const GET = apiRoute({ scope: "chat" }, async ({ req, db, actor }) => {
  const parsed = listConversationsSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  return listMyConversations(db, actor, parsed.data);
});
