import { z } from "zod";
import { apiRoute, parseParams } from "@/lib/auth/guards";
import { runEvaluation } from "@/lib/evaluation/run";
import { getAskDeps } from "@/lib/chat/runtime";
import { uuidSchema } from "@/lib/users/schemas";

const params = z.object({ id: uuidSchema });

/** Runs the collection's golden set now through the served retrieval and generator; answers with the report. */
export const POST = apiRoute<{ id: string }>({ rateLimited: true }, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { store, embedder, generator } = await getAskDeps();
  const report = await runEvaluation({ db, actor }, { store, embedder, generator }, { collectionId: id });
  return Response.json(report, { status: 201 });
});
