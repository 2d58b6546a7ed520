import type { ChatTurn } from "@/lib/models/generator";
import { MAX_QUESTION_CHARS } from "./retrieve";
import { contentTerms } from "./terms";

// Retrieval sees the question, not the conversation: a follow-up such as "And gloves?" or "What
// about night shifts?" names too little to find anything on its own, and would be answered "not
// covered" although the previous question set the subject. Without a model that can be trusted to
// rewrite questions (the default generator is extractive), the earlier question is searched with
// it. Only short follow-ups are widened: a question with content of its own is searched as asked,
// so a change of subject is not dragged back to the last one.

/** A question with at most this many content words leans on the one before it. */
export const FOLLOW_UP_MAX_TERMS = 3;

/** What retrieval searches for: the question, preceded by the previous question when it is a short follow-up. */
export function retrievalQuery(question: string, history: readonly ChatTurn[]): string {
  if (contentTerms(question).length > FOLLOW_UP_MAX_TERMS) return question;
  const previous = history.findLast((t) => t.role === "user");
  if (!previous) return question;
  // The previous question's end is kept when the two would be longer than retrieval accepts.
  const room = MAX_QUESTION_CHARS - question.length - 1;
  if (room <= 0) return question;
  return `${previous.content.slice(-room)}\n${question}`;
}
