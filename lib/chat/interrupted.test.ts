import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { insertConversation, insertMessage } from "@/db/queries/conversations";
import { createUser } from "@/db/queries/users";
import { messages } from "@/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { failInterruptedAnswers, STREAMING_AT_MOST_MS } from "./interrupted";

let h: Awaited<ReturnType<typeof createTestDatabase>>;
let conversationId: string;

beforeAll(async () => {
  h = await createTestDatabase();
  const user = await createUser(h.db, {
    email: "ida@example.org",
    name: "Ida",
    roles: ["employee"],
    passwordHash: null,
  });
  ({ id: conversationId } = await insertConversation(h.db, { userId: user.id, title: "t", collectionIds: [] }));
});
afterAll(async () => h?.close());

async function streamingAnswer(createdAt: Date) {
  const { id } = await insertMessage(h.db, { conversationId, role: "assistant", content: "", status: "streaming" });
  await h.db.update(messages).set({ createdAt }).where(eq(messages.id, id));
  return id;
}

async function statusOf(id: string) {
  const [row] = await h.db
    .select({ status: messages.status, error: messages.error })
    .from(messages)
    .where(eq(messages.id, id));
  return row;
}

describe("failInterruptedAnswers (called by startServer)", () => {
  it("on a shared Postgres closes only answers older than any real stream", async () => {
    const now = new Date();
    const crashed = await streamingAnswer(new Date(now.getTime() - STREAMING_AT_MOST_MS - 60_000));
    const live = await streamingAnswer(new Date(now.getTime() - 5_000));
    expect(await failInterruptedAnswers({ db: h.db, kind: "postgres" }, now)).toBe(1);
    expect(await statusOf(crashed)).toEqual({ status: "failed", error: "The answer was interrupted." });
    expect((await statusOf(live))?.status).toBe("streaming");
  });

  it("on the embedded database, which only this process writes, closes every streaming answer", async () => {
    const recent = await streamingAnswer(new Date(Date.now() - 5_000));
    expect(await failInterruptedAnswers({ db: h.db, kind: "pglite" })).toBeGreaterThanOrEqual(1);
    expect((await statusOf(recent))?.status).toBe("failed");
  });
});
