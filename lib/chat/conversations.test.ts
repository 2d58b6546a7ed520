import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { insertConversation, insertMessage } from "@/db/queries/conversations";
import { conversations, messages } from "@/db/schema";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { deleteMyConversation, listMyConversations, readMyConversation, renameMyConversation } from "./conversations";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// Finding one's own conversations: search by title and by what was said, keyset paging through
// all of them, and nobody else's conversation found, renamed or deleted.

let h: DatabaseHandle;
let ann: Actor, bob: Actor;
let annOld: string, bobSecret: string;

async function converse(owner: Actor, title: string, question: string, answer: string, updatedAt: Date) {
  const c = await insertConversation(h.db, { userId: owner.id, title, collectionIds: [] });
  const q = await insertMessage(h.db, { conversationId: c.id, role: "user", content: question });
  await insertMessage(h.db, { conversationId: c.id, role: "assistant", content: answer, replyTo: q.id });
  await h.db
    .update(conversations)
    .set({ updatedAt })
    .where(sql`${conversations.id} = ${c.id}`);
  return c.id;
}

beforeAll(async () => {
  h = await createTestDatabase();
  const a = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "ann@x.org", name: "Ann", roles: ["employee"], password: "ann password 12" },
  );
  const b = await addUser(
    { actor: SYSTEM_ACTOR, db: h.db },
    { email: "bob@x.org", name: "Bob", roles: ["employee"], password: "bob password 12" },
  );
  ann = (await actorFromUserId(h.db, a.id))!;
  bob = (await actorFromUserId(h.db, b.id))!;
  annOld = await converse(
    ann,
    "Dressings",
    "How often are dressings changed?",
    "Transparent dressings are changed every seven days [1].",
    new Date("2025-01-01T00:00:00Z"),
  );
  // 45 more of Ann's, all active at the same instant: paging must not lose or repeat any on a tie.
  const tie = new Date("2026-06-01T12:00:00.123456Z");
  for (let i = 0; i < 45; i++) await converse(ann, `Question ${i}`, `Question ${i}?`, `Answer ${i} 100%_done.`, tie);
  bobSecret = await converse(
    bob,
    "Salaries",
    "What is the chlorhexidine budget?",
    "The budget is confidential [1].",
    new Date(),
  );
});
afterAll(async () => h.close());

describe("finding conversations", () => {
  it("pages through all of them, newest first, each exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listMyConversations(h.db, ann, { cursor, limit: 20 });
      seen.push(...page.conversations.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(46);
    expect(new Set(seen).size).toBe(46);
    expect(seen[seen.length - 1]).toBe(annOld);
    expect(seen).not.toContain(bobSecret);
  });

  it("finds an old conversation by a word in its answer, and by its title, case-insensitively", async () => {
    const byAnswer = await listMyConversations(h.db, ann, { q: "SEVEN days" });
    expect(byAnswer.conversations.map((c) => c.id)).toEqual([annOld]);
    const byTitle = await listMyConversations(h.db, ann, { q: "dressings" });
    expect(byTitle.conversations.map((c) => c.id)).toEqual([annOld]);
    expect(byTitle.nextCursor).toBeNull();
  });

  it("reads % and _ in a search as themselves, not as wildcards", async () => {
    expect((await listMyConversations(h.db, ann, { q: "%" })).conversations).toHaveLength(30);
    expect((await listMyConversations(h.db, ann, { q: "100%_" })).conversations).toHaveLength(30);
    expect((await listMyConversations(h.db, ann, { q: "0%d" })).conversations).toHaveLength(0);
    expect((await listMyConversations(h.db, ann, { q: "seven_days" })).conversations).toHaveLength(0);
  });

  it("never finds another user's conversation, by word or by title", async () => {
    expect((await listMyConversations(h.db, ann, { q: "chlorhexidine" })).conversations).toEqual([]);
    expect((await listMyConversations(h.db, ann, { q: "Salaries" })).conversations).toEqual([]);
    expect((await listMyConversations(h.db, bob, { q: "chlorhexidine" })).conversations.map((c) => c.id)).toEqual([
      bobSecret,
    ]);
  });

  it("does not find words of a message that retention redacted", async () => {
    const id = await converse(ann, "Kept title", "Ask about zanzibar", "Zanzibar answer.", new Date());
    await h.db.execute(sql`update ${messages} set redacted_at = now() where ${messages.conversationId} = ${id}`);
    expect((await listMyConversations(h.db, ann, { q: "zanzibar" })).conversations).toEqual([]);
    expect((await listMyConversations(h.db, ann, { q: "kept title" })).conversations.map((c) => c.id)).toEqual([id]);
  });

  it("refuses a cursor it did not give out, naming it", async () => {
    await expect(listMyConversations(h.db, ann, { cursor: "not-a-cursor" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("cursor"),
    });
    const forged = Buffer.from(JSON.stringify(["2026-01-01'); drop table users; --", annOld])).toString("base64url");
    await expect(listMyConversations(h.db, ann, { cursor: forged })).rejects.toMatchObject({ status: 400 });
  });

  it("lets nobody else read, rename or delete a conversation, and leaves it as it was", async () => {
    await expect(readMyConversation(h.db, bob, annOld)).rejects.toMatchObject({ status: 404 });
    await expect(renameMyConversation(h.db, bob, annOld, "Taken over")).rejects.toMatchObject({ status: 404 });
    await expect(deleteMyConversation(h.db, bob, annOld)).rejects.toMatchObject({ status: 404 });
    const still = await readMyConversation(h.db, ann, annOld);
    expect(still.conversation.title).toBe("Dressings");
    expect(still.messages).toHaveLength(2);

    await renameMyConversation(h.db, ann, annOld, "Dressing intervals");
    expect((await listMyConversations(h.db, ann, { q: "intervals" })).conversations.map((c) => c.id)).toEqual([annOld]);
  });
});
