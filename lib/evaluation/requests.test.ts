import { describe, expect, it } from "vitest";
import { minRecallBodySchema, parseAddCasesBody } from "./requests";

// What an API caller reads when a golden question is malformed: a 400 whose message names the field.

function refusal(body: unknown): { code: string; message: string } {
  try {
    parseAddCasesBody(body);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error("the body was accepted");
}

describe("evaluation request bodies", () => {
  it("accepts one question or a list of them", () => {
    expect(parseAddCasesBody({ question: "Who signs?", expected: ["a.md"] })).toHaveLength(1);
    expect(
      parseAddCasesBody({
        cases: [
          { question: "A?", expected: ["a.md"] },
          { question: "B?", expected: ["b.md"] },
        ],
      }),
    ).toHaveLength(2);
  });

  it("names the wrong field instead of a bare 'Invalid input'", () => {
    expect(refusal({ question: "", expected: ["a.md"] })).toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining("question: the question is empty"),
    });
    expect(refusal({ question: "Q?" }).message).toContain("expected");
    expect(refusal({ question: "Q?", expected: [] }).message).toContain("expected: expected names no document");
    expect(refusal({ cases: [] }).message).toContain("cases: cases is empty");
    expect(refusal({ cases: [{ question: "Q?", expected: [5] }] }).message).toContain("cases.0.expected.0");
    expect(refusal({ cases: "all" }).message).toContain("cases must be a list");
    expect(refusal([1, 2]).message).toContain("JSON object");
    expect(refusal({ question: "Q?", expected: ["a.md"], extra: 1 }).message).toContain("extra");
  });

  it("says minRecall must be a number from 0 to 1", () => {
    const wrong = minRecallBodySchema.safeParse({ minRecall: "high" });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]).toMatchObject({
      path: ["minRecall"],
      message: "minRecall must be a number from 0 to 1",
    });
    expect(minRecallBodySchema.safeParse({ minRecall: 1.5 }).error?.issues[0]?.path).toEqual(["minRecall"]);
  });
});
