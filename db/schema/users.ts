import { boolean, index, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const ROLES = ["admin", "compliance", "employee"] as const;
// What an API key may be used for (ADR 0014): asking questions, reading, and everything else.
export const API_KEY_SCOPES = ["chat", "read", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export type Role = (typeof ROLES)[number];
export const roleEnum = pgEnum("role", ROLES);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Stored lower-cased; the unique index is on the stored value.
    email: text("email").notNull(),
    name: text("name").notNull(),
    // argon2id PHC string; null for accounts that only sign in through SSO.
    passwordHash: text("password_hash"),
    // Set for a generated or administrator-reset password: the next sign-in must replace it.
    passwordMustChange: boolean("password_must_change").notNull().default(false),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    disabled: boolean("disabled").notNull().default(false),
    authProvider: text("auth_provider").notNull().default("credentials"),
    // The OpenID issuer and subject an SSO account is linked to; the pair is the identity.
    externalIssuer: text("external_issuer"),
    externalSubject: text("external_subject"),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    uniqueIndex("users_external_identity_key").on(t.externalIssuer, t.externalSubject),
  ],
);

export const userRoles = pgTable(
  "user_roles",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    grantedAt: timestamp("granted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // The visible part of the key, shown in listings and used to revoke it.
    prefix: text("prefix").notNull(),
    // sha256 of the whole key; the key itself is shown once and never stored.
    keyHash: text("key_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    // Null only for keys made before keys expired; those expire API_KEY_MAX_DAYS after creation.
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    scopes: text("scopes").array().$type<ApiKeyScope[]>().notNull().default(["chat", "read", "admin"]),
  },
  (t) => [
    uniqueIndex("api_keys_prefix_key").on(t.prefix),
    uniqueIndex("api_keys_key_hash_key").on(t.keyHash),
    index("api_keys_user_idx").on(t.userId),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type ApiKey = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;
