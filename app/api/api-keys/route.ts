import { z } from "zod";
import { apiRoute, readJson } from "@/lib/auth/guards";
import { createApiKeyForUser, listOwnApiKeys } from "@/lib/auth/api-key-admin";
import { apiKeyNameSchema } from "@/lib/users/schemas";
import { auditActor } from "@/lib/audit/actor";

// A user's own API keys. The secret is returned once, at creation.

export const GET = apiRoute({}, async ({ db, actor }) => ({ apiKeys: await listOwnApiKeys(db, actor.id) }));

export const POST = apiRoute({}, async ({ req, db, actor }) => {
  const { name } = await readJson(req, z.object({ name: apiKeyNameSchema }));
  const { key, apiKey } = await createApiKeyForUser(db, { userId: actor.id, name }, auditActor(actor));
  return Response.json({ ...apiKey, key }, { status: 201 });
});
