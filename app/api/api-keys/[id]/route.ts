import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { revokeApiKeyById } from "@/lib/auth/api-key-admin";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

export const DELETE = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  await revokeApiKeyById({ actor, db }, { id });
  return new Response(null, { status: 204 });
});
