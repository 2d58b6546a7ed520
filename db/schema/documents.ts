import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { collections } from "./collections";
import { groups } from "./groups";
import { users } from "./users";

export const DOCUMENT_STATUSES = ["active", "deleted"] as const;
export const documentStatusEnum = pgEnum("document_status", DOCUMENT_STATUSES);

/** quarantined: processed, but held out of search until an administrator releases or rejects it. */
export const VERSION_STATUSES = [
  "queued",
  "processing",
  "ready",
  "failed",
  "superseded",
  "deleted",
  "quarantined",
] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
export const versionStatusEnum = pgEnum("version_status", VERSION_STATUSES);

/** A named document in a collection; its content lives in versions. Deleted documents stay as tombstones. */
export const documents = pgTable(
  "documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    status: documentStatusEnum("status").notNull().default("active"),
    // The version searches use: the newest one that finished processing.
    currentVersionId: uuid("current_version_id"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    deletedBy: uuid("deleted_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("documents_active_name_key")
      .on(t.collectionId, t.name)
      .where(sql`${t.status} = 'active'`),
    index("documents_collection_idx").on(t.collectionId),
  ],
);

export const documentVersions = pgTable(
  "document_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    documentId: uuid("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    versionNumber: integer("version_number").notNull(),
    sha256: text("sha256").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    originalName: text("original_name").notNull(),
    format: text("format"),
    status: versionStatusEnum("status").notNull().default("queued"),
    title: text("title"),
    pageCount: integer("page_count"),
    chunkCount: integer("chunk_count"),
    // Canonical text the chunks' offsets index; kept so citations resolve after supersession.
    text: text("text"),
    warnings: text("warnings")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    errorCode: text("error_code"),
    error: text("error"),
    storagePath: text("storage_path"),
    /** The original's data key, wrapped by the key-encryption key (lib/crypto); null for a plain file from before. */
    dataKey: text("data_key"),
    /** Offsets in `text` where each page begins (index 0 is page 1), for the masked rendition's page anchors. */
    pageStarts: integer("page_starts").array(),
    embedderId: text("embedder_id"),
    /** PII types found in the version's text (before any masking), for listings and filters. */
    piiTypes: text("pii_types")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** DocumentScan (lib/privacy/document-scan.ts): counts, injection and hidden-text findings; never PII values. */
    scan: jsonb("scan"),
    /** OcrReport (lib/documents/parsed.ts): the pages read with OCR, each with its status and confidence. */
    ocr: jsonb("ocr"),
    reviewDecision: text("review_decision"),
    reviewNote: text("review_note"),
    reviewedBy: uuid("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    uploadedBy: uuid("uploaded_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /**
     * When the version takes effect; it stays in effect until the next published version's
     * effectiveFrom or `effectiveUntil`, whichever is first (lib/documents/effective.ts).
     */
    effectiveFrom: timestamp("effective_from", { withTimezone: true }).notNull().defaultNow(),
    /** An explicit end (a withdrawn policy); null: until a later version takes effect. */
    effectiveUntil: timestamp("effective_until", { withTimezone: true }),
    /**
     * When its taking effect was recorded in the audit trail: at publication, or for a version
     * published ahead of its date (scheduled) by the sweep once the date has passed.
     */
    effectRecordedAt: timestamp("effect_recorded_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("document_versions_number_key").on(t.documentId, t.versionNumber),
    index("document_versions_scheduled_idx")
      .on(t.effectiveFrom)
      .where(sql`${t.effectRecordedAt} is null`),
    check(
      "document_versions_effective_order",
      sql`${t.effectiveUntil} is null or ${t.effectiveUntil} > ${t.effectiveFrom}`,
    ),
    index("document_versions_sha_idx").on(t.sha256),
    check(
      "document_versions_review_decision",
      sql`${t.reviewDecision} is null or ${t.reviewDecision} in ('released', 'rejected')`,
    ),
  ],
);

/** Groups a document is restricted to inside its collection; none means everyone with access to the collection. */
export const documentRestrictions = pgTable(
  "document_restrictions",
  {
    documentId: uuid("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    // Deleting a group that restricts documents is refused: cascading would silently open
    // the documents to the whole collection.
    groupId: uuid("group_id")
      .notNull()
      .references(() => groups.id, { onDelete: "restrict" }),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.groupId] }), index("document_restrictions_group_idx").on(t.groupId)],
);

export type Document = typeof documents.$inferSelect;
export type DocumentVersion = typeof documentVersions.$inferSelect;
