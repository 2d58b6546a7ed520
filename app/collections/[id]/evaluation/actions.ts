"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { guardedAction } from "@/lib/auth/guards";
import { getAskDeps } from "@/lib/chat/runtime";
import { addEvaluationCases, changeMinRecall, removeEvaluationCase } from "@/lib/evaluation/cases";
import { goldenCaseSchema } from "@/lib/evaluation/golden";
import { runEvaluation } from "@/lib/evaluation/run";
import { formArray } from "@/lib/form-fields";
import { uuidSchema } from "@/lib/users/schemas";

// The evaluation page's forms; the verbs in lib/evaluation decide who may (those who manage the
// collection named by the form, read from the database on every call).

const revalidate = (collectionId: string) => revalidatePath(`/collections/${collectionId}/evaluation`);

const addForm = z
  .object({
    collectionId: uuidSchema,
    question: z.string(),
    "documents[]": formArray(z.array(z.string())),
    phrases: z.string().max(5000, "Phrases are too long.").default(""),
  })
  .transform((f, ctx) => {
    const phrases = f.phrases
      .split(/\r?\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    const parsed = goldenCaseSchema.safeParse({
      question: f.question,
      expected: f["documents[]"].map((document) => (phrases.length > 0 ? { document, phrases } : document)),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === "expected" ? "documents" : String(issue.path[0] ?? "question");
        ctx.addIssue({ code: "custom", path: [field], message: issue.message });
      }
      return z.NEVER;
    }
    return { collectionId: f.collectionId, golden: parsed.data };
  });

export const addEvaluationCaseAction = guardedAction({}, addForm, async ({ input, actor, db }) => {
  await addEvaluationCases({ db, actor }, input.collectionId, [input.golden]);
  revalidate(input.collectionId);
  return { question: input.golden.question };
});

export const removeEvaluationCaseAction = guardedAction(
  {},
  z.object({ collectionId: uuidSchema, caseId: uuidSchema }),
  async ({ input, actor, db }) => {
    await removeEvaluationCase({ db, actor }, input.collectionId, input.caseId);
    revalidate(input.collectionId);
    return null;
  },
);

export const changePassMarkAction = guardedAction(
  {},
  z.object({
    collectionId: uuidSchema,
    minRecall: z.coerce
      .number({ error: "Give a number from 0 to 1." })
      .min(0, "Give a number from 0 to 1.")
      .max(1, "Give a number from 0 to 1."),
  }),
  async ({ input, actor, db }) => {
    const result = await changeMinRecall({ db, actor }, input.collectionId, input.minRecall);
    revalidate(input.collectionId);
    return result;
  },
);

export const runEvaluationAction = guardedAction(
  {},
  z.object({ collectionId: uuidSchema }),
  async ({ input, actor, db }) => {
    const { store, embedder, generator } = await getAskDeps();
    const report = await runEvaluation(
      { db, actor },
      { store, embedder, generator },
      { collectionId: input.collectionId },
    );
    revalidate(input.collectionId);
    return { recallAt5: report.totals.recallAt5, passed: report.passed, questions: report.totals.questions };
  },
);
