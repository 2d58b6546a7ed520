import { apiRoute, readJson } from "@/lib/auth/guards";
import { prepareAnswer } from "@/lib/chat/ask";
import { getAskDeps } from "@/lib/chat/runtime";
import { chatRequestSchema } from "@/lib/chat/schemas";
import { sseResponse } from "@/lib/chat/sse";

/**
 * Asks a question: `{ message, conversationId?, collectionIds? }` → text/event-stream with `meta`,
 * `status`, `token` events, then one `final` (answer, citations, model identity, retrieved chunk
 * ids) or `error`. Refusals (no readable collection, someone else's conversation, a full queue →
 * 429 with Retry-After) come back as JSON errors before any event.
 */
export const POST = apiRoute({ rateLimited: true }, async ({ req, actor }) => {
  const input = await readJson(req, chatRequestSchema);
  const deps = await getAskDeps();
  const prepared = await prepareAnswer(deps, actor, input);
  return sseResponse(req.signal, (emit, signal) => prepared.run(emit, signal));
});
