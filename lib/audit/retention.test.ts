import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { getAuditEventBySeq } from "@/db/queries/audit";
import { createUser } from "@/db/queries/users";
import { conversations, messages } from "@/db/schema";
import { addCollection } from "@/lib/collections/admin";
import { createTestDatabase } from "@/lib/testing/db";
import { REDACTION_MARKER } from "./content";
import { questionAnsweredEvent } from "./fixtures";
import { listHolds, placeLegalHold, releaseHold } from "./holds";
import { appendAudit } from "./log";
import { runRetentionSweep } from "./retention";
import { eventView, readablePayload } from "./rows";
import { verifyChain } from "./verify";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

let h: DatabaseHandle;
const DAY = 86_400_000;
const compliance = { id: null, email: null, via: "cli" as const };

beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h.close());

/** A conversation with one question and its answer, asked now, and its audit event. */
async function asked(user: { id: string; email: string }, collection: { id: string; name: string }, question: string) {
  const created = new Date();
  const [conv] = await h.db
    .insert(conversations)
    .values({ userId: user.id, title: question, createdAt: created })
    .returning();
  const [q] = await h.db
    .insert(messages)
    .values({ conversationId: conv!.id, role: "user", content: question, createdAt: created })
    .returning();
  const [a] = await h.db
    .insert(messages)
    .values({
      conversationId: conv!.id,
      role: "assistant",
      content: `Answer to: ${question}`,
      replyTo: q!.id,
      collectionIds: [collection.id],
      citations: [{ n: 1, text: "Quoted passage." }],
      sentences: [{ text: `Answer to: ${question}`, citations: [1] }],
      createdAt: created,
    })
    .returning();
  const ev = questionAnsweredEvent({
    asker: user,
    conversationId: conv!.id,
    question,
    collections: [collection],
    passages: [{ documentId: randomUUID(), versionId: randomUUID(), title: "Doc", text: "Quoted passage." }],
  });
  const { seq } = await appendAudit(h.db, ev);
  return { conversationId: conv!.id, questionId: q!.id, answerId: a!.id, seq };
}

describe("retention", () => {
  it("redacts expired questions and answers everywhere, spares held ones, records the purge, and the chain still verifies", async () => {
    const erin = await createUser(h.db, {
      email: "erin@example.org",
      name: "Erin",
      roles: ["employee"],
      passwordHash: null,
    });
    const hugo = await createUser(h.db, {
      email: "hugo@example.org",
      name: "Hugo",
      roles: ["employee"],
      passwordHash: null,
    });
    const wards = {
      id: (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Wards", description: "" })).id,
      name: "Wards",
    };
    const legal = {
      id: (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Litigation", description: "" })).id,
      name: "Litigation",
    };

    const old = await asked(erin, wards, "How do I dispose of sharps?");
    const heldUser = await asked(hugo, wards, "Can I skip the second signature?");
    const heldCollection = await asked(erin, legal, "What did the settlement say?");
    // Everything before `boundary` is a year old when the sweep runs at `sweepAt`.
    const boundary = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const recent = await asked(erin, wards, "Where is the crash cart?");
    const sweepAt = new Date(boundary.getTime() + 365 * DAY);
    expect((await verifyChain(h.db)).ok).toBe(true);

    await placeLegalHold({ actor: compliance, db: h.db }, { user: "hugo@example.org", reason: "Subpoena 2026-17" });
    await placeLegalHold({ actor: compliance, db: h.db }, { collection: "Litigation", reason: "Pending litigation" });
    expect(
      (await listHolds({ actor: compliance, db: h.db })).map((x) => x.user?.email ?? x.collection?.name).sort(),
    ).toEqual(["Litigation", "hugo@example.org"]);

    const result = await runRetentionSweep({ actor: compliance, db: h.db }, { retentionDays: 365, now: sweepAt });
    expect(result).toMatchObject({ messages: 2, auditEvents: 1 });
    expect(result.purgeEvents).toHaveLength(1);

    const content = async (id: string) => (await h.db.select().from(messages).where(eq(messages.id, id)))[0]!;
    expect(await content(old.questionId)).toMatchObject({ content: REDACTION_MARKER });
    const answer = await content(old.answerId);
    expect(answer).toMatchObject({ content: REDACTION_MARKER, sentences: [], citations: [{ n: 1 }] });
    expect(answer.redactedAt).toBeInstanceOf(Date);
    expect((await h.db.select().from(conversations).where(eq(conversations.id, old.conversationId)))[0]!.title).toBe(
      REDACTION_MARKER,
    );
    for (const kept of [recent, heldUser, heldCollection]) {
      expect((await content(kept.questionId)).redactedAt).toBeNull();
      expect((await content(kept.answerId)).content).toMatch(/^Answer to:/);
    }

    const redacted = eventView((await getAuditEventBySeq(h.db, { seq: old.seq }))!);
    expect(redacted.content).toBeNull();
    expect(readablePayload(redacted)).toMatchObject({
      question: REDACTION_MARKER,
      answer: REDACTION_MARKER,
      conversationId: old.conversationId,
    });
    // The question text is nowhere in the database any more, search index included.
    expect(
      await queryRows(
        h.db,
        sql`select 1 from audit_event_contents where content::text like '%sharps%' or search::text like '%sharps%'`,
      ),
    ).toHaveLength(0);
    const purge = eventView((await getAuditEventBySeq(h.db, { seq: result.purgeEvents[0]! }))!);
    expect(purge.payload).toMatchObject({ messages: 2, auditEvents: 1, auditEventSeqs: [old.seq], retentionDays: 365 });

    // The chain covers the content's digest, not the content: it still verifies.
    expect(await verifyChain(h.db)).toMatchObject({ ok: true, firstBroken: null });

    // Released, the user hold stops protecting; the collection hold still does.
    const userHold = (await listHolds({ actor: compliance, db: h.db })).find((x) => x.user)!;
    await releaseHold({ actor: compliance, db: h.db }, userHold.id);
    const second = await runRetentionSweep({ actor: compliance, db: h.db }, { retentionDays: 365, now: sweepAt });
    expect(second).toMatchObject({ messages: 2, auditEvents: 1 });
    expect((await content(heldUser.answerId)).content).toBe(REDACTION_MARKER);
    expect((await content(heldCollection.answerId)).content).toMatch(/^Answer to:/);
    expect(
      await runRetentionSweep({ actor: compliance, db: h.db }, { retentionDays: 365, now: sweepAt }),
    ).toMatchObject({
      messages: 0,
      auditEvents: 0,
      purgeEvents: [],
    });
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("refuses a hold on nobody, on both, or without a reason", async () => {
    const { holdSchema } = await import("./holds");
    expect(holdSchema.safeParse({ reason: "Audit" }).error?.issues[0]?.message).toMatch(
      /either a user .* or a collection/,
    );
    expect(holdSchema.safeParse({ user: "a@b.c", collection: "x", reason: "Audit" }).success).toBe(false);
    expect(holdSchema.safeParse({ user: "a@b.c", reason: "" }).error?.issues[0]?.message).toMatch(/reason/);
    await expect(
      placeLegalHold({ actor: compliance, db: h.db }, { user: "ghost@example.org", reason: "Audit" }),
    ).rejects.toThrow("No user ghost@example.org.");
  });
});
