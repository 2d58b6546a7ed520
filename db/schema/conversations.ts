import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

// Conversations belong to one user and are readable by that user alone. An assistant message
// keeps what was retrieved, cited and which model answered, so the conversation can be shown
// again exactly as it was answered, whatever happened to the documents since.

export const MESSAGE_ROLES = ["user", "assistant"] as const;
export const messageRoleEnum = pgEnum("message_role", MESSAGE_ROLES);

/** streaming: being written now; stopped: the asker stopped it; failed: an error ended it. */
export const MESSAGE_STATUSES = ["streaming", "complete", "stopped", "failed"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const messageStatusEnum = pgEnum("message_status", MESSAGE_STATUSES);

export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    /** The collections chosen in the picker at the last question; empty: all readable ones. */
    collectionIds: uuid("collection_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    /** The "as of" date chosen at the last question; null: answers about now. */
    asOf: timestamp("as_of", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("conversations_user_idx").on(t.userId, t.updatedAt)],
);

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: messageRoleEnum("role").notNull(),
    content: text("content").notNull(),
    status: messageStatusEnum("status").notNull().default("complete"),
    /** For an assistant message: the question it answers. */
    replyTo: uuid("reply_to"),
    /** Citation[] (lib/rag/types.ts) of an assistant message. */
    citations: jsonb("citations")
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** AnswerSentence[]: each sentence's citations and support. */
    sentences: jsonb("sentences")
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** Retrieved chunk ids with scores, in prompt order. */
    retrieved: jsonb("retrieved")
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** GeneratorIdentity plus the embedder id. */
    model: jsonb("model"),
    /** The collections searched for this answer (already limited to what the asker could read). */
    collectionIds: uuid("collection_ids")
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    finishReason: text("finish_reason"),
    /** true when no passage cleared the relevance floor. */
    notCovered: boolean("not_covered").notNull().default(false),
    error: text("error"),
    /** The moment the question was asked for ("as of"), on the question and its answer; null: now. */
    asOf: timestamp("as_of", { withTimezone: true }),
    /**
     * Set when an edited question or a regenerated answer replaced this message. Nothing is
     * deleted: the conversation shows the newest, and the earlier ones stay (and in the audit trail).
     */
    supersededBy: uuid("superseded_by"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** Set when retention replaced the content with a redaction marker. */
    redactedAt: timestamp("redacted_at", { withTimezone: true }),
  },
  (t) => [index("messages_conversation_idx").on(t.conversationId, t.createdAt)],
);

/** One rating per user per answer; changing it replaces the earlier one. */
export const messageFeedback = pgTable(
  "message_feedback",
  {
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: smallint("rating").notNull(),
    comment: text("comment").notNull().default(""),
    /** With a thumbs down: why (lib/review/reasons.ts USER_REVIEW_REASONS); such an answer goes to the review queue. */
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.messageId, t.userId] }),
    check("message_feedback_rating", sql`${t.rating} in (-1, 1)`),
    check(
      "message_feedback_reason",
      sql`${t.reason} is null or (${t.rating} = -1 and ${t.reason} in ('incorrect', 'unsupported', 'harmful', 'other'))`,
    ),
  ],
);

export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type NewMessage = typeof messages.$inferInsert;
export type MessageFeedback = typeof messageFeedback.$inferSelect;
