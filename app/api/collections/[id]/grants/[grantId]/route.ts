import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { removeGrant } from "@/lib/collections/admin";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema, grantId: uuidSchema });

export const DELETE = apiRoute<{ id: string; grantId: string }>(
  { roles: "admin" },
  async ({ params: p, db, actor }) => {
    const { id, grantId } = parseParams(p, params);
    await removeGrant({ actor, db }, id, grantId);
    return new Response(null, { status: 204 });
  },
);
