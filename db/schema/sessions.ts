import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * One row per browser sign-in. The session cookie names a row; guards accept the cookie only
 * while the row is open and inside the idle and absolute limits, so ending the row ends the
 * session at once, whatever the cookie's own expiry says.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // "credentials" or "oidc": how the person proved who they are.
    method: text("method").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    // When this sign-in passed its second factor (TOTP or a recovery code); null until then.
    secondFactorAt: timestamp("second_factor_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    // sign_out, password_changed, password_reset, disabled, roles_changed, idle, expired …
    endReason: text("end_reason"),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId)],
);

export type UserSession = typeof userSessions.$inferSelect;
