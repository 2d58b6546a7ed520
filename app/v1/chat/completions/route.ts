import { apiRoute, readJson } from "@/lib/auth/guards";
import { getAskDeps } from "@/lib/chat/runtime";
import { createChatCompletion } from "@/lib/openai/completions";
import { openAiErrorResponse } from "@/lib/openai/errors";
import { chatCompletionSchema } from "@/lib/openai/schemas";

/** OpenAI-compatible chat completions, streamed or not, answered from the caller's readable documents. */
export const POST = apiRoute({ rateLimited: true, errorResponse: openAiErrorResponse }, async ({ req, db, actor }) => {
  const body = await readJson(req, chatCompletionSchema);
  return createChatCompletion(await getAskDeps(), db, actor, body, req.signal);
});
