import { apiRoute } from "@/lib/auth/guards";
import { listMyConversations } from "@/lib/chat/conversations";

/** The caller's own conversations, most recent first. */
export const GET = apiRoute({ scope: "chat" }, async ({ db, actor }) => ({
  conversations: await listMyConversations(db, actor),
}));
