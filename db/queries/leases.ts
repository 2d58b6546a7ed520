import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { maintenanceLeases, type MaintenanceLease } from "../schema";

/** Records that the named work is wanted; whoever holds or next takes the lease does it. */
export async function requestLeaseWork(db: Executor, input: { name: string }): Promise<void> {
  await db
    .insert(maintenanceLeases)
    .values({ name: input.name, requestedAt: sql`now()` })
    .onConflictDoUpdate({ target: maintenanceLeases.name, set: { requestedAt: sql`now()` } });
}

/**
 * Takes the lease when work is pending (requested since the last run started), no live holder has
 * it, and the last run started at least `minIntervalMs` ago. One UPDATE decides, so of any number
 * of processes asking at once exactly one gets it. Null when this process should not run.
 */
export async function acquireLease(
  db: Executor,
  input: { name: string; holder: string; leaseMs: number; minIntervalMs: number },
): Promise<MaintenanceLease | null> {
  const [row] = await db
    .update(maintenanceLeases)
    .set({
      holder: input.holder,
      expiresAt: sql`now() + ${input.leaseMs} * interval '1 millisecond'`,
      lastStartedAt: sql`now()`,
    })
    .where(
      and(
        eq(maintenanceLeases.name, input.name),
        sql`(${maintenanceLeases.expiresAt} is null or ${maintenanceLeases.expiresAt} < now())`,
        sql`${maintenanceLeases.requestedAt} is not null`,
        sql`(${maintenanceLeases.lastStartedAt} is null or ${maintenanceLeases.requestedAt} >= ${maintenanceLeases.lastStartedAt})`,
        sql`(${maintenanceLeases.lastStartedAt} is null or ${maintenanceLeases.lastStartedAt} <= now() - ${input.minIntervalMs} * interval '1 millisecond')`,
      ),
    )
    .returning();
  return row ?? null;
}

/** Extends a lease this holder still has; false when it lapsed and another took it. */
export async function renewLease(
  db: Executor,
  input: { name: string; holder: string; leaseMs: number },
): Promise<boolean> {
  const rows = await db
    .update(maintenanceLeases)
    .set({ expiresAt: sql`now() + ${input.leaseMs} * interval '1 millisecond'` })
    .where(and(eq(maintenanceLeases.name, input.name), eq(maintenanceLeases.holder, input.holder)))
    .returning({ name: maintenanceLeases.name });
  return rows.length > 0;
}

/** Gives the lease back after a run (done or failed); requests made during the run stay pending. */
export async function releaseLease(db: Executor, input: { name: string; holder: string }): Promise<void> {
  await db
    .update(maintenanceLeases)
    .set({ holder: null, expiresAt: null, lastFinishedAt: sql`now()` })
    .where(and(eq(maintenanceLeases.name, input.name), eq(maintenanceLeases.holder, input.holder)));
}

export async function getLease(db: Executor, input: { name: string }): Promise<MaintenanceLease | null> {
  const [row] = await db.select().from(maintenanceLeases).where(eq(maintenanceLeases.name, input.name));
  return row ?? null;
}
