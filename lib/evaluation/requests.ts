import { z } from "zod";
import { AppError, fromZodError } from "@/lib/errors";
import { goldenCaseSchema, MAX_CASES, type GoldenCase } from "./golden";

// Bodies of /api/collections/:id/evaluations. A union of the two shapes would answer a mistake
// with zod's bare "Invalid input"; choosing the shape by its key first lets the error name the
// field that is wrong.

const casesSchema = z
  .object({
    cases: z
      .array(goldenCaseSchema, { error: "cases must be a list of questions" })
      .min(1, "cases is empty")
      .max(MAX_CASES, `cases may hold at most ${MAX_CASES} questions`),
  })
  .strict();

/** One question `{ question, expected }`, or `{ cases: [...] }` for several at once. */
export function parseAddCasesBody(body: unknown): GoldenCase[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError("invalid_request", 'Send a JSON object: { "question", "expected" } or { "cases": [...] }.');
  }
  const many = "cases" in body;
  const parsed = many ? casesSchema.safeParse(body) : goldenCaseSchema.safeParse(body);
  if (!parsed.success) throw fromZodError(parsed.error, "request body");
  return many ? (parsed.data as z.infer<typeof casesSchema>).cases : [parsed.data as GoldenCase];
}

export const minRecallBodySchema = z
  .object({
    minRecall: z
      .number({ error: "minRecall must be a number from 0 to 1" })
      .min(0, "minRecall must be from 0 to 1")
      .max(1, "minRecall must be from 0 to 1"),
  })
  .strict();
