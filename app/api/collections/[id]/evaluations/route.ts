import { z } from "zod";
import { apiRoute, parseParams, readJson } from "@/lib/auth/guards";
import { addEvaluationCases, changeMinRecall, getEvaluation } from "@/lib/evaluation/cases";
import { goldenCaseSchema, MAX_CASES } from "@/lib/evaluation/golden";
import { uuidSchema } from "@/lib/users/schemas";

// A collection's golden questions and its recent evaluation runs: those who manage it (ADR 0023).

const params = z.object({ id: uuidSchema });

/** One question, or `{ "cases": [...] }` for several at once (all or none are added). */
const addSchema = z.union([
  goldenCaseSchema.transform((c) => [c]),
  z
    .object({ cases: z.array(goldenCaseSchema).min(1, "cases is empty").max(MAX_CASES) })
    .strict()
    .transform((b) => b.cases),
]);

const patchSchema = z
  .object({ minRecall: z.number().min(0, "minRecall must be from 0 to 1").max(1, "minRecall must be from 0 to 1") })
  .strict();

export const GET = apiRoute<{ id: string }>({}, async ({ params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  return getEvaluation({ db, actor }, id);
});

export const POST = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const cases = await readJson(req, addSchema);
  const added = await addEvaluationCases({ db, actor }, id, cases);
  return Response.json({ added: added.map((a) => a.id) }, { status: 201 });
});

/** `{ "minRecall": 0.8 }`: the pass mark a run's recall@5 must reach. */
export const PATCH = apiRoute<{ id: string }>({}, async ({ req, params: p, db, actor }) => {
  const { id } = parseParams(p, params);
  const { minRecall } = await readJson(req, patchSchema);
  return changeMinRecall({ db, actor }, id, minRecall);
});
