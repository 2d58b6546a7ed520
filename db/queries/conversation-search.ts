import "server-only";
import { and, desc, eq, exists, ilike, inArray, isNull, or, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { conversations, messages } from "../schema";
import { summaryColumns, type ConversationSummary } from "./conversations";

// Finding the owner's conversations: a page at a time, optionally by words in a title or a message.

export interface ConversationPageRow extends ConversationSummary {
  /** updated_at to the microsecond, as text: the keyset for the next page (a Date keeps only milliseconds). */
  sortKey: string;
}

/** `search` as an ILIKE pattern that matches it anywhere, its wildcards taken literally. */
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of the owner's conversations, most recently active first, optionally only those whose
 * title or (unredacted) messages contain `search`. Keyset paging on (updated_at, id), so a page
 * is not shifted by conversations that move to the top while someone pages.
 */
export async function listConversationsForUser(
  db: Executor,
  {
    userId,
    limit = 100,
    search,
    after,
  }: { userId: string; limit?: number; search?: string; after?: { sortKey: string; id: string } },
): Promise<ConversationPageRow[]> {
  const conditions = [eq(conversations.userId, userId)];
  if (search) {
    const pattern = likePattern(search);
    conditions.push(
      or(
        ilike(conversations.title, pattern),
        exists(
          db
            .select({ one: sql`1` })
            .from(messages)
            .where(
              and(
                eq(messages.conversationId, conversations.id),
                isNull(messages.redactedAt),
                ilike(messages.content, pattern),
              ),
            ),
        ),
      )!,
    );
  }
  if (after) {
    conditions.push(
      sql`(${conversations.updatedAt}, ${conversations.id}) < (${after.sortKey}::timestamptz, ${after.id}::uuid)`,
    );
  }
  return db
    .select({
      ...summaryColumns,
      sortKey: sql<string>`to_char(${conversations.updatedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(conversations)
    .where(and(...conditions))
    .orderBy(desc(conversations.updatedAt), desc(conversations.id))
    .limit(limit);
}

/** The owner's messages in `conversationIds` whose (unredacted) text contains `search`. */
export async function listMessagesMatching(
  db: Executor,
  { userId, conversationIds, search }: { userId: string; conversationIds: string[]; search: string },
) {
  if (conversationIds.length === 0) return [];
  return db
    .select({
      id: messages.id,
      conversationId: messages.conversationId,
      role: messages.role,
      retrieved: messages.retrieved,
      citations: messages.citations,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(conversations.userId, userId),
        inArray(messages.conversationId, conversationIds),
        isNull(messages.redactedAt),
        ilike(messages.content, likePattern(search)),
      ),
    );
}
