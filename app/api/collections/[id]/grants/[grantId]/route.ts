import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { removeGrant } from "@/lib/collections/admin";
import { uuidSchema } from "@/lib/users/schemas";
import { auditActor } from "@/lib/audit/actor";

const params = z.object({ id: uuidSchema, grantId: uuidSchema });

export const DELETE = apiRoute<{ id: string; grantId: string }>(
  { roles: "admin" },
  async ({ params: p, db, actor }) => {
    const { id, grantId } = parseParams(p, params);
    await removeGrant(db, id, grantId, auditActor(actor));
    return new Response(null, { status: 204 });
  },
);
