import type { ChatMessage } from "@/lib/chat/types";

// What the conversation shows: the messages nothing replaced, in order, each with the earlier
// versions it replaced (an edited question's first wording, a regenerated answer's earlier
// answers), oldest first. Nothing is dropped: every message is either shown or listed as earlier.

export interface ThreadEntry {
  message: ChatMessage;
  earlier: ChatMessage[];
}

export function threadOf(messages: ChatMessage[]): ThreadEntry[] {
  const byId = new Map(messages.map((m) => [m.id, m]));
  /** The message shown in place of `m`: the end of its chain of successors. */
  const shownFor = (m: ChatMessage): ChatMessage => {
    let current = m;
    const seen = new Set<string>();
    while (current.supersededBy && !seen.has(current.id)) {
      seen.add(current.id);
      const next = byId.get(current.supersededBy);
      if (!next) break;
      current = next;
    }
    return current;
  };
  const earlier = new Map<string, ChatMessage[]>();
  for (const m of messages) {
    if (!m.supersededBy) continue;
    const shown = shownFor(m);
    if (shown === m) continue;
    earlier.set(shown.id, [...(earlier.get(shown.id) ?? []), m]);
  }
  return messages
    .filter((m) => !m.supersededBy || shownFor(m) === m)
    .map((m) => ({ message: m, earlier: earlier.get(m.id) ?? [] }));
}

/** The exchange that may be regenerated or edited: the last question shown and its answer. */
export function latestExchange(entries: ThreadEntry[]): { questionId: string | null; answerId: string | null } {
  const last = entries.at(-1)?.message;
  const question = [...entries].reverse().find((e) => e.message.role === "user")?.message ?? null;
  const answer = last?.role === "assistant" && last.replyTo === question?.id ? last : null;
  return { questionId: question?.id ?? null, answerId: answer?.id ?? null };
}

/** yyyy-mm-dd of an ISO moment (UTC), as the date picker and the answer badges show it. */
export const isoDay = (iso: string) => iso.slice(0, 10);

/** A message shown while the server has not yet given it an id. */
export function pendingMessage(role: "user" | "assistant", content: string): ChatMessage {
  return {
    id: `pending-${role}-${Date.now()}`,
    role,
    content,
    status: role === "assistant" ? "streaming" : "complete",
    replyTo: null,
    citations: [],
    sentences: [],
    model: null,
    collectionIds: [],
    finishReason: null,
    notCovered: false,
    createdAt: new Date().toISOString(),
    completedAt: null,
    redacted: false,
    withheld: false,
    asOf: null,
    supersededBy: null,
    feedback: null,
  };
}
