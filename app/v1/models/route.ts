import { resolveReadScope } from "@/lib/auth/access";
import { apiRoute } from "@/lib/auth/guards";
import { openAiErrorResponse } from "@/lib/openai/errors";
import { listModelIds } from "@/lib/openai/models";

/** OpenAI-compatible model list: `knowledge` (all your collections) and `knowledge/<collection>` for each. */
export const GET = apiRoute({ rateLimited: true, errorResponse: openAiErrorResponse }, async ({ db, actor }) => {
  const scope = await resolveReadScope(db, actor);
  const created = Math.floor(Date.now() / 1000);
  return {
    object: "list",
    data: listModelIds(scope).map((m) => ({
      id: m.id,
      object: "model",
      created,
      owned_by: "knowledge-qa",
      collection_ids: m.collectionIds,
    })),
  };
});
