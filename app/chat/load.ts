import "server-only";
import { getDb } from "@/lib/server/db";
import { resolveReadScope } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/actor";
import { listMyConversations, readMyConversation } from "@/lib/chat/conversations";
import { AppError } from "@/lib/errors";

/** What the chat page needs, all of it the asker's own or readable by them, read now. */
export async function loadChat(actor: Actor, conversationId: string | null) {
  const db = await getDb();
  const [scope, firstPage] = await Promise.all([resolveReadScope(db, actor), listMyConversations(db, actor)]);
  let current = null;
  if (conversationId) {
    try {
      current = await readMyConversation(db, actor, conversationId);
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") return { notFound: true as const };
      throw err;
    }
  }
  return {
    notFound: false as const,
    conversations: firstPage.conversations,
    nextCursor: firstPage.nextCursor,
    collections: scope.collections.map((c) => ({ id: c.id, name: c.name, documentCount: c.documentCount })),
    current,
  };
}
