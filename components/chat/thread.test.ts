import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@/lib/chat/types";
import { latestExchange, threadOf } from "./thread";

const msg = (id: string, role: "user" | "assistant", extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  role,
  content: id,
  status: "complete",
  replyTo: null,
  citations: [],
  sentences: [],
  model: null,
  collectionIds: [],
  finishReason: null,
  notCovered: false,
  createdAt: "2026-01-01T00:00:00.000Z",
  completedAt: null,
  redacted: false,
  withheld: false,
  asOf: null,
  supersededBy: null,
  feedback: null,
  ...extra,
});

describe("threadOf", () => {
  it("shows the newest answer of a twice regenerated question and lists both earlier ones under it", () => {
    const entries = threadOf([
      msg("q1", "user"),
      msg("a1", "assistant", { replyTo: "q1", supersededBy: "a2" }),
      msg("a2", "assistant", { replyTo: "q1", supersededBy: "a3" }),
      msg("a3", "assistant", { replyTo: "q1" }),
    ]);
    expect(entries.map((e) => e.message.id)).toEqual(["q1", "a3"]);
    expect(entries[1]!.earlier.map((m) => m.id)).toEqual(["a1", "a2"]);
    expect(latestExchange(entries)).toEqual({ questionId: "q1", answerId: "a3" });
  });

  it("shows an edited question's new wording and answer, keeping the first wording and its answer as earlier", () => {
    const entries = threadOf([
      msg("q0", "user"),
      msg("a0", "assistant", { replyTo: "q0" }),
      msg("q1", "user", { supersededBy: "q2" }),
      msg("a1", "assistant", { replyTo: "q1", supersededBy: "a2" }),
      msg("q2", "user"),
      msg("a2", "assistant", { replyTo: "q2" }),
    ]);
    expect(entries.map((e) => e.message.id)).toEqual(["q0", "a0", "q2", "a2"]);
    expect(entries[2]!.earlier.map((m) => m.id)).toEqual(["q1"]);
    expect(entries[3]!.earlier.map((m) => m.id)).toEqual(["a1"]);
  });

  it("keeps a message whose successor is missing instead of hiding it", () => {
    const entries = threadOf([msg("q1", "user"), msg("a1", "assistant", { replyTo: "q1", supersededBy: "gone" })]);
    expect(entries.map((e) => e.message.id)).toEqual(["q1", "a1"]);
  });
});
