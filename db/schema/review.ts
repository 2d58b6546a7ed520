import { sql } from "drizzle-orm";
import { bigserial, check, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { REVIEW_DECISIONS, REVIEW_REASONS, REVIEW_STATUSES } from "./review-values";
import { users } from "./users";

// The human review queue: one item per answer, however many flags it collects (an asker's
// thumbs down with a reason, the output guard, injection in the question). Items name their
// answer by message id without a foreign key: an asker who deletes the conversation must not
// delete the review of it (the answer's context is read from the audit trail, which outlives it).

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

export const reviewItems = pgTable(
  "review_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** #1, #2 …: what reviewers call an item, and the queue's paging key. */
    number: bigserial("number", { mode: "number" }).notNull(),
    messageId: uuid("message_id").notNull(),
    conversationId: uuid("conversation_id").notNull(),
    askerId: uuid("asker_id").references(() => users.id, { onDelete: "set null" }),
    /** Kept so the item stays readable after the account is gone. */
    askerEmail: text("asker_email"),
    status: text("status").notNull().default("open"),
    /** correct or incorrect once resolved; null while open or escalated. */
    resolution: text("resolution"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("review_items_message_key").on(t.messageId),
    uniqueIndex("review_items_number_key").on(t.number),
    index("review_items_status_idx").on(t.status, t.number),
    check("review_items_status", sql`${t.status} in (${inList(REVIEW_STATUSES)})`),
    check(
      "review_items_resolution",
      sql`(${t.status} = 'resolved') = (${t.resolution} is not null) and (${t.resolution} is null or ${t.resolution} in ('correct', 'incorrect'))`,
    ),
  ],
);

/** Why an item is in the queue. Never updated or deleted while the item lives: the history of how it got there. */
export const reviewFlags = pgTable(
  "review_flags",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Insertion order: flags raised in one transaction share created_at. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    itemId: uuid("item_id")
      .notNull()
      .references(() => reviewItems.id, { onDelete: "cascade" }),
    /** user: the asker's feedback (its comment stays with the feedback, under retention); guard: the checks around answering. */
    source: text("source").notNull(),
    reason: text("reason").notNull(),
    /** Kinds and counts (redacted personal data, injection kinds); never values or text. */
    details: jsonb("details")
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("review_flags_item_idx").on(t.itemId, t.seq),
    index("review_flags_reason_idx").on(t.reason, t.itemId),
    check("review_flags_source", sql`${t.source} in ('user', 'guard')`),
    check("review_flags_reason", sql`${t.reason} in (${inList(REVIEW_REASONS)})`),
  ],
);

/** Every decision on an item, in order: resolutions, escalations and reopenings. */
export const reviewActions = pgTable(
  "review_actions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Insertion order, for the history. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    itemId: uuid("item_id")
      .notNull()
      .references(() => reviewItems.id, { onDelete: "cascade" }),
    decision: text("decision").notNull(),
    note: text("note").notNull().default(""),
    statusAfter: text("status_after").notNull(),
    /** Null when the system reopened the item because a new flag arrived. */
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorEmail: text("actor_email"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("review_actions_item_idx").on(t.itemId, t.seq),
    check("review_actions_decision", sql`${t.decision} in (${inList(REVIEW_DECISIONS)})`),
    check("review_actions_status", sql`${t.statusAfter} in (${inList(REVIEW_STATUSES)})`),
  ],
);

export type ReviewItem = typeof reviewItems.$inferSelect;
export type NewReviewItem = typeof reviewItems.$inferInsert;
export type ReviewFlag = typeof reviewFlags.$inferSelect;
export type ReviewAction = typeof reviewActions.$inferSelect;
