import { sql } from "drizzle-orm";
import { check, index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { groups } from "./groups";
import { roleEnum, users } from "./users";

export const ACCESS_LEVELS = ["read", "manage"] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];
export const accessEnum = pgEnum("access_level", ACCESS_LEVELS);

/** tag: index as-is with PII types on each passage; mask: replace chosen types before indexing; reject: refuse documents with them. */
export const PII_POLICIES = ["tag", "mask", "reject"] as const;
export type PiiPolicy = (typeof PII_POLICIES)[number];
export const piiPolicyEnum = pgEnum("pii_policy", PII_POLICIES);

/** quarantine: wait for an administrator's review before the version becomes searchable; warn: index and show a warning. */
export const INJECTION_POLICIES = ["quarantine", "warn"] as const;
export type InjectionPolicy = (typeof INJECTION_POLICIES)[number];
export const injectionPolicyEnum = pgEnum("injection_policy", INJECTION_POLICIES);

export const collections = pgTable(
  "collections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    piiPolicy: piiPolicyEnum("pii_policy").notNull().default("tag"),
    // The types "mask" and "reject" act on: names from lib/privacy/pii-types.ts, checked by the
    // application (so a new type needs no migration); the default is DEFAULT_PRIVACY_POLICY's.
    piiPolicyTypes: text("pii_policy_types")
      .array()
      .notNull()
      .default(sql`'{ssn,credit_card,iban,date_of_birth,mrn,secret,password}'::text[]`),
    injectionPolicy: injectionPolicyEnum("injection_policy").notNull().default("quarantine"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("collections_name_key").on(t.name)],
);

/** A grant gives a group or a role read or manage access to one collection. */
export const collectionGrants = pgTable(
  "collection_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    collectionId: uuid("collection_id")
      .notNull()
      .references(() => collections.id, { onDelete: "cascade" }),
    groupId: uuid("group_id").references(() => groups.id, { onDelete: "cascade" }),
    role: roleEnum("role"),
    access: accessEnum("access").notNull().default("read"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("collection_grants_one_grantee", sql`(${t.groupId} is null) <> (${t.role} is null)`),
    uniqueIndex("collection_grants_group_key")
      .on(t.collectionId, t.groupId)
      .where(sql`${t.groupId} is not null`),
    uniqueIndex("collection_grants_role_key")
      .on(t.collectionId, t.role)
      .where(sql`${t.role} is not null`),
    index("collection_grants_group_idx").on(t.groupId),
  ],
);

export type Collection = typeof collections.$inferSelect;
export type NewCollection = typeof collections.$inferInsert;
export type CollectionGrant = typeof collectionGrants.$inferSelect;
