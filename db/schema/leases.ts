import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Work that must run once across the cluster (index upkeep), not in every process: a process takes
 * the lease by name until `expires_at`, renewing it while it works, so a crashed holder's lease
 * lapses and another takes over. `requested_at` after `last_started_at` means work is pending.
 */
export const maintenanceLeases = pgTable("maintenance_leases", {
  name: text("name").primaryKey(),
  holder: text("holder"),
  expiresAt: timestamp("expires_at", { withTimezone: true }),
  requestedAt: timestamp("requested_at", { withTimezone: true }),
  lastStartedAt: timestamp("last_started_at", { withTimezone: true }),
  lastFinishedAt: timestamp("last_finished_at", { withTimezone: true }),
});

export type MaintenanceLease = typeof maintenanceLeases.$inferSelect;
