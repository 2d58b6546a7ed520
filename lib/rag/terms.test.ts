import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contentTerms, coverage, coverageIn, termSet } from "./terms";

describe("term coverage", () => {
  it("finds stemmed content terms and ignores question scaffolding", () => {
    const wanted = contentTerms("How long must we retain the policies?");
    expect(wanted).toEqual(["long", "retain", "polici"]);
    expect(coverageIn(wanted, "Retain the documentation required by this policy for 6 years.")).toBeCloseTo(2 / 3, 10);
    expect(coverageIn(wanted, "Visiting hours are from ten to eight.")).toBe(0);
    expect(coverageIn([], "anything")).toBe(0);
  });

  it("does not count the way a question is asked as something a passage must cover", () => {
    expect(contentTerms("Can you clarify how long we retain the policies? I was wondering.")).toEqual([
      "long",
      "retain",
      "polici",
    ]);
  });

  it("gives exactly what the term set gives, on real regulatory text", () => {
    const text = fs.readFileSync(
      path.resolve(
        process.cwd(),
        "../shared/data/regdocs/hipaa-cfr-45-160-164-md/164-530-administrative-requirements.md",
      ),
      "utf8",
    );
    const passages = text.split(/\n\n+/).filter((p) => p.trim());
    const questions = [
      "How long must documentation be retained?",
      "Who is the privacy official?",
      "what is the cafeteria menu on friday",
      "Step 3: sanctions against workforce members",
    ];
    for (const q of questions) {
      const wanted = contentTerms(q);
      for (const p of passages) expect(coverageIn(wanted, p)).toBe(coverage(wanted, termSet(p)));
    }
    // Remembered terms change nothing on a second pass.
    expect(passages.map((p) => coverageIn(contentTerms(questions[0]!), p))).toEqual(
      passages.map((p) => coverage(contentTerms(questions[0]!), termSet(p))),
    );
  });
});
