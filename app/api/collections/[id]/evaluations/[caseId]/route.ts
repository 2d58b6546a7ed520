import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { removeEvaluationCase } from "@/lib/evaluation/cases";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema, caseId: uuidSchema });

export const DELETE = apiRoute<{ id: string; caseId: string }>({}, async ({ params: p, db, actor }) => {
  const { id, caseId } = parseParams(p, params);
  await removeEvaluationCase({ db, actor }, id, caseId);
  return new Response(null, { status: 204 });
});
