import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/lib/testing/db";
import { appendAuditGrouped } from "./group-append";
import { questionAnsweredEvent } from "./fixtures";
import { appendAudit, getChainHead } from "./log";
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

  it("chain again from the head when another writer appended in between, refs and contents included", async () => {
    const [before] = await queryRows<{ n: number }>(h.db, sql`select count(*)::int as n from audit_events`);
    // The appender remembers the head its last group left; these appends move it behind its back.
    await appendAudit(h.db, { type: "auth.sign_out", actorId: null, payload: {} });
    await h.db.transaction(async (tx) => {
      await appendAudit(tx, { type: "auth.sign_out", actorId: null, payload: {} });
    });
    const collectionId = randomUUID();
    const answered = questionAnsweredEvent({
      asker: { id: randomUUID(), email: "ana@example.org" },
      collections: [{ id: collectionId, name: "Clinical" }],
      passages: [{ documentId: randomUUID(), versionId: randomUUID(), title: "Hygiene", text: "Wash for 40 s." }],
    });
    const [a, b] = await Promise.all([
      appendAuditGrouped(h.db, answered),
      appendAuditGrouped(h.db, { type: "auth.sign_in", actorId: null, payload: { method: "credentials" } }),
    ]);
    expect([a!.seq, b!.seq]).toEqual([before!.n + 3, before!.n + 4]);
    const [content] = await queryRows<{ n: number }>(
      h.db,
      sql`select count(*)::int as n from audit_event_contents where seq = ${a!.seq} and content is not null`,
    );
    expect(content!.n).toBe(1);
    const refs = await queryRows<{ collectionId: string | null }>(
      h.db,
      sql`select collection_id as "collectionId" from audit_event_refs where seq = ${a!.seq} and collection_id is not null`,
    );
    expect(refs.map((r) => r.collectionId)).toEqual([collectionId]);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true, count: before!.n + 4 });
  });

  it("fails only the caller whose event the database refuses, naming why; its group's other events are written", async () => {
    const head = await getChainHead(h.db);
    // A subject that is not a uuid passes the checks in memory and is refused by the database.
    const bad = appendAuditGrouped(h.db, {
      type: "auth.sign_in",
      actorId: null,
      subject: { userId: "not-a-uuid" },
      payload: { method: "credentials" },
    });
    const good = appendAuditGrouped(h.db, { type: "auth.sign_out", actorId: null, payload: {} });
    await expect(bad).rejects.toThrow(/^The audit event could not be recorded: .*uuid/);
    expect((await good).seq).toBe(head!.seq + 1);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true, count: head!.seq + 1 });
  });

  it("fails only the caller whose event is malformed", async () => {
    const bad = appendAuditGrouped(h.db, { type: "no.such" as "auth.sign_in", actorId: null, payload: {} });
    const good = appendAuditGrouped(h.db, { type: "auth.sign_out", actorId: null, payload: {} });
    await expect(bad).rejects.toThrow('Unknown audit event type "no.such".');
    expect((await good).seq).toBe((await getChainHead(h.db))!.seq);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });
});
