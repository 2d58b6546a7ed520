import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliSandbox } from "@/lib/testing/cli";

// `eval run` as an operator runs it in a pipeline: real child processes, the real embedder,
// index and extractive generator; the exit code gates on recall@5.

const box = cliSandbox({ prefix: "kq-eval-cli-", timeoutMs: 180_000 });

function write(name: string, text: string): string {
  const file = path.join(box.dataDir, "..", `${path.basename(box.dataDir)}-${name}`);
  fs.writeFileSync(file, text);
  return file;
}

describe("npm run cli -- eval run", () => {
  it("prints per-question and total figures and exits 0 at or above the pass mark, 1 below it", () => {
    const docs = path.join(box.dataDir, "docs");
    fs.mkdirSync(docs);
    fs.writeFileSync(
      path.join(docs, "hand-hygiene.md"),
      "# Hand hygiene\n\nStaff must perform hand hygiene before touching a patient and after touching patient surroundings.\n",
    );
    fs.writeFileSync(
      path.join(docs, "falls.md"),
      "# Falls prevention\n\nEvery patient over 65 gets a falls risk assessment within six hours of admission.\n",
    );
    const ingested = box.cli(["ingest", docs, "--collection", "Ward", "--create"]);
    expect(ingested.code, ingested.stderr).toBe(0);

    const good = write(
      "good.jsonl",
      [
        JSON.stringify({ question: "When must staff perform hand hygiene?", expected: ["hand-hygiene.md"] }),
        JSON.stringify({ question: "When is the falls risk assessment done?", expected: ["falls.md"] }),
      ].join("\n"),
    );
    const pass = box.cli(["eval", "run", "--collection", "Ward", "--golden", good]);
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toContain("When must staff perform hand hygiene?");
    expect(pass.stdout).toMatch(/total {2}recall@5 1\.00 {2}nDCG@10 1\.00/);
    expect(pass.stdout).toContain("PASS: recall@5 1.00 ≥ 0.80");

    const half = write(
      "half.jsonl",
      [
        JSON.stringify({ question: "When must staff perform hand hygiene?", expected: ["hand-hygiene.md"] }),
        JSON.stringify({ question: "What is the parking policy?", expected: ["parking.md"] }),
      ].join("\n"),
    );
    const fail = box.cli(["eval", "run", "--collection", "Ward", "--golden", half, "--json"]);
    expect(fail.code, fail.stderr).toBe(1);
    const report = JSON.parse(fail.stdout) as {
      passed: boolean;
      totals: { recallAt5: number };
      questions: { missing: string[] }[];
    };
    expect(report.passed).toBe(false);
    expect(report.totals.recallAt5).toBe(0.5);
    expect(report.questions[1]!.missing).toEqual(["parking.md"]);
  });

  it("refuses a bad golden file, a bad pass mark and an unknown collection, naming the problem", () => {
    const bad = write("bad.jsonl", `{"question": "q?", "expected": ["a.md"]}\n{"question": 3}\n`);
    const badFile = box.cli(["eval", "run", "--collection", "Ward", "--golden", bad]);
    expect(badFile.code).not.toBe(0);
    expect(badFile.stderr).toContain("The golden file has 1 bad line(s):\nline 2: question:");
    const badMark = box.cli(["eval", "run", "--collection", "Ward", "--min-recall", "1.5"]);
    expect(badMark.stderr).toContain('--min-recall must be a number from 0 to 1, not "1.5".');
    const unknown = box.cli(["eval", "run", "--collection", "Nope"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No collection named "Nope".');
    const empty = box.cli(["eval", "run", "--collection", "Ward"]);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('The collection "Ward" has no golden questions yet.');
  });
});
