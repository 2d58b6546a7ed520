import { z } from "zod";
import { AppError } from "@/lib/errors";
import type { ExpectedSource } from "@/db/schema/evaluations";

// Golden questions, from the UI, the API or a JSONL file: one case per line,
//   {"question": "…", "expected": ["file name", …]}
// where an entry may also be {"document": "file name", "phrases": ["…"]} to require that the
// supporting passage holds one of the phrases.

export const MAX_CASES = 500;

const nameSchema = z.string().trim().min(1, "a document name is empty").max(500, "a document name is too long");

const expectedEntry = z.union([
  nameSchema.transform((document): ExpectedSource => ({ document })),
  z
    .object({
      document: nameSchema,
      phrases: z
        .array(z.string().trim().min(1, "a phrase is empty").max(500, "a phrase is too long"))
        .max(20, "at most 20 phrases per document")
        .optional(),
    })
    .strict()
    .transform((e): ExpectedSource => (e.phrases && e.phrases.length > 0 ? e : { document: e.document })),
]);

export const goldenCaseSchema = z
  .object({
    question: z
      .string()
      .trim()
      .min(1, "the question is empty")
      .max(4000, "the question is longer than 4000 characters"),
    expected: z.array(expectedEntry).min(1, "expected names no document").max(20, "at most 20 expected documents"),
  })
  .strict();

export type GoldenCase = z.infer<typeof goldenCaseSchema>;

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length > 0 ? `${i.path.join(".")}: ` : "";
      return i.code === "unrecognized_keys"
        ? `unknown field ${i.keys.map((k) => `"${k}"`).join(", ")}`
        : `${where}${i.message}`;
    })
    .join("; ");
}

/** Parses a golden file; every bad line is named in one error, and nothing is taken from a file with any. */
export function parseGoldenJsonl(text: string): GoldenCase[] {
  const cases: GoldenCase[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${i + 1}: not valid JSON`);
      return;
    }
    const parsed = goldenCaseSchema.safeParse(value);
    if (parsed.success) cases.push(parsed.data);
    else problems.push(`line ${i + 1}: ${describe(parsed.error)}`);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join("\n");
    const more = problems.length > 10 ? `\n… and ${problems.length - 10} more` : "";
    throw new AppError("invalid_request", `The golden file has ${problems.length} bad line(s):\n${shown}${more}`);
  }
  if (cases.length === 0) throw new AppError("invalid_request", "The golden file holds no questions.");
  if (cases.length > MAX_CASES)
    throw new AppError(
      "invalid_request",
      `The golden file holds ${cases.length} questions; at most ${MAX_CASES} are allowed.`,
    );
  return cases;
}

export function goldenCaseError(error: z.ZodError): AppError {
  return new AppError("invalid_request", `Invalid golden question: ${describe(error)}.`);
}
