import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { addEvaluationCases, changeMinRecall, getEvaluation } from "@/lib/evaluation/cases";
import { minRecallBodySchema, parseAddCasesBody } from "@/lib/evaluation/requests";
import { uuidSchema } from "@/lib/users/schemas";

// A collection's golden questions and its recent evaluation runs: those who manage it (ADR 0023).

const params = z.object({ id: uuidSchema });

export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  return getEvaluation({ db, actor }, id);
});

export const POST = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  // The body is checked before the access check: a malformed one answers 400 naming the field.
  const cases = parseAddCasesBody(await readJson(req, z.unknown()));
  const added = await addEvaluationCases({ db, actor }, id, cases);
  return Response.json({ added: added.map((a) => a.id) }, { status: 201 });
});

/** `{ "minRecall": 0.8 }`: the pass mark a run's recall@5 must reach. */
export const PATCH = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { minRecall } = await readJson(req, minRecallBodySchema);
  return changeMinRecall({ db, actor }, id, minRecall);
});
