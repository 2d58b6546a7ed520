import { sql } from "drizzle-orm";
import { bigint, check, customType, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { collections } from "./collections";
import { users } from "./users";

// The audit trail (see docs/adr/0008-audit-trail.md). `audit_events` is the hash chain:
// append-only, UPDATE/DELETE/TRUNCATE rejected by triggers (migration 0004_audit_guard). The
// chain covers a digest of each event's conversation content; the content itself lives in
// `audit_event_contents`, where retention may replace it with nothing and the chain still verifies.
// No foreign keys point out of these tables: the record must outlive the users, documents and
// collections it names, and a cascade would be an UPDATE or DELETE the triggers refuse.

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const auditEvents = pgTable(
  "audit_events",
  {
    /** 1, 2, 3, … without gaps: assigned under the append lock. */
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    type: text("type").notNull(),
    actorId: uuid("actor_id"),
    actorEmail: text("actor_email"),
    subjectCollectionId: uuid("subject_collection_id"),
    subjectDocumentId: uuid("subject_document_id"),
    subjectUserId: uuid("subject_user_id"),
    subjectConversationId: uuid("subject_conversation_id"),
    /** The event's payload without its redactable content. */
    payload: jsonb("payload").notNull(),
    /** sha256(salt || canonical content), or null for events without conversation content. */
    contentSha256: text("content_sha256"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    /** Words of the payload for the console's free-text filter; not part of the chain. */
    search: tsvector("search"),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at),
    index("audit_events_type_idx").on(t.type, t.seq),
    index("audit_events_actor_idx").on(t.actorId, t.seq),
    index("audit_events_subject_user_idx")
      .on(t.subjectUserId, t.seq)
      .where(sql`${t.subjectUserId} is not null`),
    index("audit_events_conversation_idx")
      .on(t.subjectConversationId)
      .where(sql`${t.subjectConversationId} is not null`),
    index("audit_events_search_idx").using("gin", t.search),
  ],
);

/**
 * Every collection and document an event concerns, so that filtering by either finds a question
 * event by any collection or document it retrieved from. Derived from the event at append time;
 * append-only like the chain.
 */
export const auditEventRefs = pgTable(
  "audit_event_refs",
  {
    seq: bigint("seq", { mode: "number" }).notNull(),
    collectionId: uuid("collection_id"),
    documentId: uuid("document_id"),
  },
  (t) => [
    check("audit_event_refs_one", sql`(${t.collectionId} is null) <> (${t.documentId} is null)`),
    index("audit_event_refs_collection_idx")
      .on(t.collectionId, t.seq)
      .where(sql`${t.collectionId} is not null`),
    index("audit_event_refs_document_idx")
      .on(t.documentId, t.seq)
      .where(sql`${t.documentId} is not null`),
    index("audit_event_refs_seq_idx").on(t.seq),
  ],
);

/**
 * Conversation content (questions, answers, quoted passages, feedback comments) of an event.
 * The only permitted change is a redaction: content, salt and search cleared, redacted_at set.
 */
export const auditEventContents = pgTable(
  "audit_event_contents",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    content: jsonb("content"),
    /** Random per event, so a short redacted text cannot be confirmed by guessing it against the digest. */
    salt: text("salt"),
    search: tsvector("search"),
    /** When retention removed the content; the retention.purged event after it lists this seq. */
    redactedAt: timestamp("redacted_at", { withTimezone: true }),
  },
  (t) => [index("audit_event_contents_search_idx").using("gin", t.search)],
);

/** Suspends retention purging for one user's conversations or for everything touching a collection. */
export const legalHolds = pgTable(
  "legal_holds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    collectionId: uuid("collection_id").references(() => collections.id, { onDelete: "cascade" }),
    reason: text("reason").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    releasedAt: timestamp("released_at", { withTimezone: true }),
    releasedBy: uuid("released_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    check("legal_holds_one_subject", sql`(${t.userId} is null) <> (${t.collectionId} is null)`),
    index("legal_holds_active_idx").on(t.releasedAt),
  ],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEventRow = typeof auditEvents.$inferInsert;
export type LegalHold = typeof legalHolds.$inferSelect;
