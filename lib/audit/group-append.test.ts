import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { appendAudit, appendAuditGrouped } from "./log";
import { verifyChain } from "./verify";

// Grouped appends: concurrent writers share transactions, yet every event keeps its own hash,
// its own place in the chain, and its own outcome.

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h.close());

describe("grouped appends", () => {
  it("chain 8 concurrent writers' events in order, one hash each, fewer transactions than events", async () => {
    await appendAudit(h.db, { type: "auth.sign_in", actorId: null, payload: { method: "credentials" } });
    const writer = async (w: number) => {
      const seqs: number[] = [];
      for (let i = 0; i < 25; i++) {
        const r = await appendAuditGrouped(h.db, {
          type: "auth.sign_in",
          actorId: randomUUID(),
          actorEmail: `writer${w}@example.org`,
          payload: { method: "credentials", i },
        });
        seqs.push(r.seq);
      }
      return seqs;
    };
    const perWriter = await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    // Each writer's events are in its own order, and together they fill 2..201 with no gap or repeat.
    for (const seqs of perWriter) expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(perWriter.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));
    const [row] = await queryRows<{ n: number; hashes: number; instants: number }>(
      h.db,
      sql`select count(*)::int as n, count(distinct hash)::int as hashes, count(distinct at)::int as instants from audit_events`,
    );
    expect(row).toMatchObject({ n: 201, hashes: 201 });
    // Events written together share their transaction's instant: fewer groups than events.
    expect(row!.instants).toBeLessThan(201);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true, count: 201 });
  });

  it("fails only the caller whose event is malformed", async () => {
    const bad = appendAuditGrouped(h.db, { type: "no.such" as "auth.sign_in", actorId: null, payload: {} });
    const good = appendAuditGrouped(h.db, { type: "auth.sign_out", actorId: null, payload: {} });
    await expect(bad).rejects.toThrow('Unknown audit event type "no.such".');
    expect((await good).seq).toBe(202);
  });
});
