import { describe, expect, it } from "vitest";
import { retrievalQuery } from "./follow-up";
import { MAX_QUESTION_CHARS } from "./retrieve";

const history = [
  { role: "user" as const, content: "When must staff perform hand hygiene?" },
  { role: "assistant" as const, content: "Before touching a patient [1]." },
  { role: "user" as const, content: "How long should the alcohol hand rub take?" },
  { role: "assistant" as const, content: "20 to 30 seconds [1]." },
];

describe("the retrieval query", () => {
  it("searches a short follow-up together with the previous question", () => {
    expect(retrievalQuery("And gloves?", history)).toBe("How long should the alcohol hand rub take?\nAnd gloves?");
  });

  it("searches a question with content of its own as asked, and any question that opens a conversation", () => {
    expect(retrievalQuery("Who signs the controlled drugs register at night?", history)).toBe(
      "Who signs the controlled drugs register at night?",
    );
    expect(retrievalQuery("And gloves?", [])).toBe("And gloves?");
  });

  it("stays within what retrieval accepts after a long previous question", () => {
    const long = `${"word ".repeat(799)}gloves`;
    const query = retrievalQuery("And at night?", [{ role: "user", content: long }]);
    expect(query.length).toBe(MAX_QUESTION_CHARS);
    expect(query.endsWith("gloves\nAnd at night?")).toBe(true);
  });
});
