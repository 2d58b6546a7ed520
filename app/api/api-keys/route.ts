import { apiRoute, readJson } from "@/lib/auth/guards";
import { createApiKeyForUser, listOwnApiKeys } from "@/lib/auth/api-key-admin";
import { apiKeyNameSchema } from "@/lib/users/schemas";
import { newApiKeyRequestSchema } from "@/lib/auth/api-key-policy";

// A user's own API keys. The secret is returned once, at creation, and only to a browser
// session: the verb refuses a request that came with a key.

export const GET = apiRoute({}, async ({ db, actor }) => ({ apiKeys: await listOwnApiKeys(db, actor.id) }));

export const POST = apiRoute({}, async ({ req, db, actor }) => {
  const input = await readJson(req, newApiKeyRequestSchema.extend({ name: apiKeyNameSchema }));
  const { key, apiKey } = await createApiKeyForUser({ actor, db }, { userId: actor.id, ...input });
  return Response.json({ ...apiKey, key }, { status: 201 });
});
