import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { eventView, readablePayload } from "@/lib/audit/rows";
import { verifyChain } from "@/lib/audit/verify";
import { AppError } from "@/lib/errors";
import { createTestDatabase } from "@/lib/testing/db";
import { addUser } from "@/lib/users/admin";
import { flagAnswer } from "./flag";
import {
  decideReviewItem,
  listReviewQueue,
  parseReviewQueueFilters,
  reviewDecisionSchema,
  reviewItemDetail,
} from "./queue";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The queue against Postgres (or PGlite): one item per answer however many flags arrive, the
// state rules for decisions, the history, and the audit record of every decision. The answers
// here are ids only: the chat path that creates them is tested in lib/chat/ask-guards.test.ts.

let h: DatabaseHandle;
const reviewer = { id: null as string | null, email: "carla@example.org", via: "session" as const };
let asker: { id: string; email: string };

beforeAll(async () => {
  h = await createTestDatabase();
  reviewer.id = (
    await addUser(
      { actor: SYSTEM_ACTOR, db: h.db },
      { email: reviewer.email, name: "Carla", roles: ["compliance"], password: "carla password 1" },
    )
  ).id;
  asker = {
    id: (
      await addUser(
        { actor: SYSTEM_ACTOR, db: h.db },
        { email: "erin@example.org", name: "Erin", roles: ["employee"], password: "erin password 1" },
      )
    ).id,
    email: "erin@example.org",
  };
});
afterAll(async () => {
  await h.close();
});

async function flagged(reasons: ("incorrect" | "harmful" | "output_redacted" | "question_injection")[]) {
  const answer = { messageId: randomUUID(), conversationId: randomUUID() };
  let item = null;
  for (const reason of reasons) {
    item = await h.db.transaction((tx) =>
      flagAnswer(tx, {
        ...answer,
        asker,
        flags: [
          { source: reason === "incorrect" || reason === "harmful" ? "user" : "guard", reason, createdBy: asker.id },
        ],
      }),
    );
  }
  return { ...answer, itemId: item!.itemId, number: item!.number };
}

const decide = (id: string, decision: string, note = "") =>
  decideReviewItem({ actor: reviewer, db: h.db }, id, reviewDecisionSchema.parse({ decision, note }));

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("the review queue", () => {
  it("keeps one item per answer and aggregates its flags", async () => {
    const a = await flagged(["output_redacted", "incorrect", "incorrect"]);
    const detail = await reviewItemDetail(h.db, a.itemId);
    expect(detail.item).toMatchObject({
      number: a.number,
      status: "open",
      reasons: ["output_redacted", "incorrect"],
      flagCount: 3,
      asker: { email: "erin@example.org" },
    });
    expect(detail.flags.map((f) => [f.source, f.reason])).toEqual([
      ["guard", "output_redacted"],
      ["user", "incorrect"],
      ["user", "incorrect"],
    ]);
    // No audit record of this answer exists: the item says so rather than inventing one.
    expect(detail).toMatchObject({ answer: null, answerSeq: null, feedback: [] });
  });

  it("lists waiting items newest first, filters by status and reason, and pages", async () => {
    const harmful = await flagged(["harmful"]);
    const injected = await flagged(["question_injection"]);
    const open = await listReviewQueue(h.db, parseReviewQueueFilters(new URLSearchParams()));
    expect(open.items[0]!.number).toBe(injected.number);
    expect(open.items.map((i) => i.number)).toContain(harmful.number);
    const byReason = await listReviewQueue(h.db, parseReviewQueueFilters(new URLSearchParams("reason=harmful")));
    expect(byReason.items.map((i) => i.number)).toEqual([harmful.number]);

    await decide(harmful.itemId, "correct");
    const waiting = await listReviewQueue(h.db, parseReviewQueueFilters(new URLSearchParams("status=open")));
    expect(waiting.items.map((i) => i.number)).not.toContain(harmful.number);
    const resolved = await listReviewQueue(h.db, parseReviewQueueFilters(new URLSearchParams("status=resolved")));
    expect(resolved.items.find((i) => i.number === harmful.number)).toMatchObject({
      status: "resolved",
      resolution: "correct",
    });

    const page1 = await listReviewQueue(h.db, parseReviewQueueFilters(new URLSearchParams("status=all&limit=1")));
    expect(page1.items).toHaveLength(1);
    const page2 = await listReviewQueue(
      h.db,
      parseReviewQueueFilters(new URLSearchParams(`status=all&limit=1&before=${page1.nextBefore}`)),
    );
    expect(page2.items[0]!.number).toBeLessThan(page1.items[0]!.number);
  });

  it("refuses bad filters and decisions with a message naming the problem", async () => {
    expect(() => parseReviewQueueFilters(new URLSearchParams("status=closed"))).toThrow(
      /status must be one of: open, escalated, resolved, all/,
    );
    expect(() => parseReviewQueueFilters(new URLSearchParams("reason=boring"))).toThrow(
      /reason must be one of: incorrect, unsupported/,
    );
    expect(reviewDecisionSchema.safeParse({ decision: "incorrect", note: "  " }).error?.issues[0]).toMatchObject({
      path: ["note"],
      message: /a note is required for incorrect/,
    });
    expect(reviewDecisionSchema.safeParse({ decision: "approve" }).success).toBe(false);
    expect((await refusal(decide(randomUUID(), "correct"))).status).toBe(404);
    expect((await refusal(decide("not-a-uuid", "correct"))).status).toBe(404);
  });

  it("resolves, escalates and reopens with the history kept, refuses decisions that do not fit, and audits each", async () => {
    const a = await flagged(["incorrect"]);
    expect((await refusal(decide(a.itemId, "reopen"))).message).toBe("This item is already open.");
    expect(await decide(a.itemId, "incorrect", "Cites the 2019 protocol, which was withdrawn.")).toMatchObject({
      status: "resolved",
      resolution: "incorrect",
    });
    const again = await refusal(decide(a.itemId, "correct"));
    expect(again).toMatchObject({
      status: 409,
      message: "This item is already resolved; reopen it first to decide again.",
    });
    expect(await decide(a.itemId, "escalate", "Legal should see this")).toMatchObject({
      status: "escalated",
      resolution: null,
    });
    expect(await decide(a.itemId, "correct", "Legal agrees the answer stands")).toMatchObject({
      status: "resolved",
      resolution: "correct",
    });

    const detail = await reviewItemDetail(h.db, a.itemId);
    expect(detail.history.map((x) => [x.decision, x.statusAfter, x.by])).toEqual([
      ["incorrect", "resolved", reviewer.email],
      ["escalate", "escalated", reviewer.email],
      ["correct", "resolved", reviewer.email],
    ]);
    const events = (await listAuditEvents(h.db, { query: { types: ["review."] }, limit: 10 })).map((r) =>
      readablePayload(eventView(r)),
    );
    const mine = events.filter((e) => e.itemId === a.itemId).reverse();
    expect(mine.map((e) => [e.decision, e.statusBefore, e.statusAfter])).toEqual([
      ["incorrect", "open", "resolved"],
      ["escalate", "resolved", "escalated"],
      ["correct", "escalated", "resolved"],
    ]);
    expect(mine[0]).toMatchObject({
      note: "Cites the 2019 protocol, which was withdrawn.",
      number: a.number,
      askerEmail: asker.email,
      conversationId: a.conversationId,
    });
    const [row] = await listAuditEvents(h.db, { query: { types: ["review.resolved"], userId: asker.id }, limit: 1 });
    expect(eventView(row!)).toMatchObject({
      actorEmail: reviewer.email,
      subject: { userId: asker.id, conversationId: a.conversationId },
    });
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("takes a resolved item back into the queue when a new flag arrives, saying why", async () => {
    const a = await flagged(["output_redacted"]);
    await decide(a.itemId, "correct");
    const again = await h.db.transaction((tx) =>
      flagAnswer(tx, {
        messageId: a.messageId,
        conversationId: a.conversationId,
        asker,
        flags: [{ source: "user", reason: "harmful" }],
      }),
    );
    expect(again).toMatchObject({ itemId: a.itemId, reopened: true });
    const detail = await reviewItemDetail(h.db, a.itemId);
    expect(detail.item).toMatchObject({ status: "open", resolution: null, reasons: ["output_redacted", "harmful"] });
    expect(detail.history.at(-1)).toMatchObject({
      decision: "reopen",
      by: null,
      note: "Reopened by a new flag: Harmful.",
    });
  });

  it("lets only one of two reviewers deciding at once win", async () => {
    const a = await flagged(["incorrect"]);
    const outcomes = await Promise.allSettled([
      decide(a.itemId, "correct"),
      decide(a.itemId, "incorrect", "Wrong dosage"),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const failed = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ status: 409 });
    expect((await reviewItemDetail(h.db, a.itemId)).history).toHaveLength(1);
  });
});
