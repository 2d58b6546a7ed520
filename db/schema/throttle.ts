import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Counters of rate-limiter-flexible's Drizzle store (sign-in delays, request limits), in the
 * shape that store expects. Keys are digests, so the table holds no email or address.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    points: integer("points").notNull().default(0),
    expire: timestamp("expire", { withTimezone: true }),
  },
  (t) => [index("rate_limits_expire_idx").on(t.expire)],
);

/**
 * Failed sign-ins counted per account (or all unknown emails together) and window, so the audit
 * trail gets one event per account and window with a count, however many attempts a flood makes.
 */
export const signInFailureTallies = pgTable("sign_in_failure_tallies", {
  // The account's id, or "unknown" for every email that names no account.
  key: text("key").primaryKey(),
  userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
  email: text("email"),
  failures: integer("failures").notNull().default(0),
  // Failures per reason: wrong_password, unknown_email, no_password, throttled.
  reasons: jsonb("reasons").$type<Record<string, number>>().notNull().default({}),
  // The first few distinct client addresses, and for unknown emails the first few emails tried.
  addresses: jsonb("addresses").$type<string[]>().notNull().default([]),
  emails: jsonb("emails").$type<string[]>().notNull().default([]),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull().defaultNow(),
  lastFailedAt: timestamp("last_failed_at", { withTimezone: true }).notNull().defaultNow(),
});

export type SignInFailureTally = typeof signInFailureTallies.$inferSelect;
