import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, queryRows, type DatabaseHandle } from "@/db/client";
import { groups } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { eventHash, GENESIS_HASH } from "./canonical";
import { questionAnsweredEvent } from "./fixtures";
import { appendAudit, appendAuditBatch, getChainHead } from "./log";
import { verifyChain } from "./verify";

let h: DatabaseHandle & { url?: string };
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h.close());

const actor = { id: randomUUID(), email: "erin@example.org" };

/** Changes a row as a superuser who switched the guard triggers off. */
async function tamper(statement: ReturnType<typeof sql>) {
  await h.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(statement);
  });
}

describe("the audit chain", () => {
  it("appends gapless, linked events whose hashes recompute", async () => {
    const a = await appendAudit(h.db, {
      type: "auth.sign_in",
      actorId: actor.id,
      actorEmail: actor.email,
      payload: { method: "credentials" },
    });
    const b = await appendAudit(h.db, {
      type: "group.created",
      actorId: actor.id,
      payload: { name: "Ward 5", via: "session", nested: { z: 1, a: [1, 2.5, "x"] } },
    });
    expect(b.seq).toBe(a.seq + 1);
    const rows = await queryRows<{ seq: string; prev_hash: string; hash: string }>(
      h.db,
      sql`select seq, prev_hash, hash from audit_events order by seq`,
    );
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[1]!.hash).toBe(b.hash);
    const v = await verifyChain(h.db);
    expect(v).toMatchObject({ ok: true, count: 2, head: { seq: b.seq, hash: b.hash }, firstBroken: null });
  });

  it("keeps question text beside the chain and only its digest in the chained row", async () => {
    const ev = questionAnsweredEvent({
      asker: actor,
      collections: [{ id: randomUUID(), name: "Infection control" }],
      passages: [
        { documentId: randomUUID(), versionId: randomUUID(), title: "Isolation", text: "Wash hands for 40 seconds." },
      ],
    });
    const { seq } = await appendAudit(h.db, ev);
    const [row] = await queryRows<{ payload: Record<string, unknown>; content_sha256: string }>(
      h.db,
      sql`select payload, content_sha256 from audit_events where seq = ${seq}`,
    );
    expect(JSON.stringify(row!.payload)).not.toContain("hand hygiene");
    expect(JSON.stringify(row!.payload)).not.toContain("Wash hands");
    expect(row!.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    const [content] = await queryRows<{ content: Record<string, unknown> }>(
      h.db,
      sql`select content from audit_event_contents where seq = ${seq}`,
    );
    expect(content!.content.question).toBe(ev.payload.question);
    expect(content!.content["citations[].text"]).toEqual(["Wash hands for 40 seconds."]);
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("files feedback under its conversation, with the comment beside the chain", async () => {
    const conversationId = randomUUID();
    const { seq } = await appendAudit(h.db, {
      type: "feedback.given",
      actorId: actor.id,
      actorEmail: actor.email,
      payload: { messageId: randomUUID(), conversationId, rating: -1, comment: "Cited the wrong ward." },
    });
    const [row] = await queryRows<{ subject_conversation_id: string; payload: Record<string, unknown> }>(
      h.db,
      sql`select subject_conversation_id, payload from audit_events where seq = ${seq}`,
    );
    expect(row).toEqual({
      subject_conversation_id: conversationId,
      payload: { messageId: expect.any(String), conversationId, rating: -1 },
    });
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("refuses an unknown event type and rolls back the change it belonged to", async () => {
    await expect(
      h.db.transaction(async (tx) => {
        await tx.insert(groups).values({ name: "Never committed" });
        await appendAudit(tx, { type: "group.exploded" as never, actorId: null, payload: {} });
      }),
    ).rejects.toThrow(/Unknown audit event type "group.exploded"/);
    expect(await queryRows(h.db, sql`select 1 from groups where name = 'Never committed'`)).toHaveLength(0);
  });

  it("lets the database refuse UPDATE, DELETE and TRUNCATE of the chain", async () => {
    await appendAudit(
      h.db,
      questionAnsweredEvent({
        asker: actor,
        collections: [],
        passages: [{ documentId: randomUUID(), versionId: randomUUID(), title: "T", text: "P." }],
      }),
    );
    const refused = async (statement: ReturnType<typeof sql>) => {
      const err = await h.db.execute(statement).then(
        () => null,
        (e: unknown) => e as Error & { cause?: Error },
      );
      expect(err, "the statement was accepted").not.toBeNull();
      return err!.cause?.message ?? err!.message;
    };
    expect(await refused(sql`update audit_events set actor_email = 'mallory@example.org' `)).toMatch(
      /UPDATE on audit_events is not allowed: the audit trail is append-only/,
    );
    expect(await refused(sql`delete from audit_events`)).toMatch(/DELETE on audit_events is not allowed/);
    expect(await refused(sql`truncate audit_events cascade`)).toMatch(/TRUNCATE on audit_events is not allowed/);
    expect(await refused(sql`delete from audit_event_refs`)).toMatch(/append-only/);
    expect(await refused(sql`update audit_event_contents set content = '{"question":"edited"}'::jsonb`)).toMatch(
      /can only be redacted/,
    );
    expect(await refused(sql`delete from audit_event_contents`)).toMatch(/can only be redacted/);
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("names the row a superuser altered behind the triggers' back", async () => {
    const before = await getChainHead(h.db);
    await appendAuditBatch(
      h.db,
      Array.from({ length: 5 }, (_, i) => ({
        type: "auth.sign_in" as const,
        actorId: actor.id,
        actorEmail: actor.email,
        payload: { n: i },
      })),
    );
    const target = before!.seq + 3;
    await tamper(sql`update audit_events set payload = '{"n": 99}'::jsonb where seq = ${target}`);
    const v = await verifyChain(h.db);
    expect(v.ok).toBe(false);
    expect(v.firstBroken).toEqual({ seq: target, reason: "the event's contents do not match its hash" });
  });
});

describe("tampering that verification catches", () => {
  let t: DatabaseHandle & { url?: string };
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.close());

  async function tamperIn(statement: ReturnType<typeof sql>) {
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(statement);
    });
  }

  it("a rewritten hash shows at the next row, a deleted row by its number, edited content by its event", async () => {
    const evs = Array.from({ length: 8 }, () =>
      questionAnsweredEvent({
        asker: actor,
        collections: [],
        passages: [{ documentId: randomUUID(), versionId: randomUUID(), title: "T", text: "Passage." }],
      }),
    );
    await appendAuditBatch(t.db, evs);
    expect((await verifyChain(t.db)).ok).toBe(true);

    await tamperIn(
      sql`update audit_event_contents set content = jsonb_set(content, '{question}', '"Something else"') where seq = 6`,
    );
    expect((await verifyChain(t.db)).firstBroken).toEqual({
      seq: 6,
      reason: "the event's content does not match the digest its hash covers",
    });

    await tamperIn(sql`delete from audit_events where seq = 4`);
    expect((await verifyChain(t.db)).firstBroken).toEqual({
      seq: 4,
      reason: "event 4 is missing (event 3 is followed by 5)",
    });

    await tamperIn(sql`update audit_events set hash = ${"f".repeat(64)} where seq = 2`);
    expect((await verifyChain(t.db)).firstBroken).toMatchObject({ seq: 2 });

    // An anchor recorded earlier (say, in an export manifest) catches a rewritten tail too.
    const v = await verifyChain(t.db, { anchor: { seq: 8, hash: "0".repeat(64) } });
    expect(v.anchor).toEqual({ seq: 8, hash: "0".repeat(64), matches: false });
  });
});

describe("concurrent writers", () => {
  it("two writers appending 5,000 events each leave one valid chain of 10,000", async () => {
    const c = await createTestDatabase();
    // On Postgres: two connection pools, as two processes would hold. PGlite is one process.
    const second = c.url ? await openDatabase({ url: c.url, poolMax: 4 }) : c;
    try {
      const writer = async (db: typeof c.db, name: string) => {
        const lanes = Array.from({ length: 4 }, async (_, lane) => {
          for (let i = lane; i < 5000; i += 4) {
            await appendAudit(db, {
              type: "auth.sign_in",
              actorId: null,
              actorEmail: `${name}@example.org`,
              payload: { writer: name, i },
            });
          }
        });
        await Promise.all(lanes);
      };
      await Promise.all([writer(c.db, "a"), writer(second.db, "b")]);
      const v = await verifyChain(c.db);
      expect(v).toMatchObject({ ok: true, count: 10_000, head: { seq: 10_000 }, firstBroken: null });
      const perWriter = await queryRows<{ w: string; n: number }>(
        c.db,
        sql`select payload->>'writer' as w, count(*)::int as n from audit_events group by 1 order by 1`,
      );
      expect(perWriter).toEqual([
        { w: "a", n: 5000 },
        { w: "b", n: 5000 },
      ]);
    } finally {
      if (second !== c) await second.close();
      await c.close();
    }
  }, 600_000);
});

describe("canonical hashing", () => {
  it("does not depend on key order, and changes with any field", () => {
    const base = {
      seq: 1,
      at: "2026-01-01T00:00:00.000Z",
      type: "x.y",
      actorId: null,
      actorEmail: null,
      subject: { collectionId: null, documentId: null, userId: null, conversationId: null },
      contentSha256: null,
    };
    const h1 = eventHash(GENESIS_HASH, { ...base, payload: { a: 1, b: [1, 2] } });
    const h2 = eventHash(GENESIS_HASH, { ...base, payload: { b: [1, 2], a: 1 } });
    expect(h1).toBe(h2);
    expect(eventHash(GENESIS_HASH, { ...base, payload: { a: 1, b: [2, 1] } })).not.toBe(h1);
    expect(eventHash(GENESIS_HASH, { ...base, actorEmail: "x", payload: { a: 1, b: [1, 2] } })).not.toBe(h1);
  });
});
