import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { sendLogsToStderr } from "@/lib/log";
import { parseGoldenJsonl } from "@/lib/evaluation/golden";
import type { EvaluationReport } from "@/lib/evaluation/types";
import { printTable } from "./io";
import { execute } from "./transport";

// `eval run`: score a collection's golden questions (or a JSONL file of them) through retrieval
// and answering as served, print the figures, and exit 1 when recall@5 is below the pass mark,
// so a pipeline can gate an upgrade, a new embedder or a reindex on it.

const pct = (x: number | null) => (x === null ? "–" : x.toFixed(2));

export function printReport(r: EvaluationReport, print: (line: string) => void): void {
  print(`Collection ${r.collection.name} · ${r.totals.questions} question(s) from ${r.source}`);
  print(`embedder ${r.embedderId} · generator ${r.generatorId} · chunker ${r.chunkerId}`);
  print("");
  const rows = r.questions.map((q) => [
    q.question.length > 60 ? `${q.question.slice(0, 57)}…` : q.question,
    pct(q.recallAt5),
    pct(q.ndcgAt10),
    q.notCovered ? "yes" : "no",
    pct(q.citationPrecision),
    q.missing.length > 0 ? `unknown: ${q.missing.join(", ")}` : "",
  ]);
  printTable(["question", "recall@5", "nDCG@10", "not covered", "citation precision", ""], rows, print);
  print("");
  print(
    `total  recall@5 ${pct(r.totals.recallAt5)}  nDCG@10 ${pct(r.totals.ndcgAt10)}  not covered ${pct(r.totals.notCoveredShare)}  citation precision ${pct(r.totals.citationPrecision)}`,
  );
  print(
    r.passed
      ? `PASS: recall@5 ${pct(r.totals.recallAt5)} ≥ ${pct(r.minRecall)}`
      : `FAIL: recall@5 ${pct(r.totals.recallAt5)} is below the pass mark ${pct(r.minRecall)}`,
  );
}

export function registerEvalCommands(program: Command, print: (line: string) => void, setExit: (code: number) => void) {
  const evaluation = program.command("eval").description("Evaluate retrieval and answers against golden questions.");
  evaluation
    .command("run")
    .description("Score a collection's golden questions; exits 1 when recall@5 is below the pass mark.")
    .requiredOption("--collection <name>", "the collection to evaluate")
    .option(
      "--golden <file.jsonl>",
      'questions, one {"question": …, "expected": ["file name", …]} per line (default: the collection\'s golden set)',
    )
    .option("--min-recall <x>", "pass mark for recall@5, 0 to 1 (default: the collection's, 0.8 unless changed)")
    .option("--json", "print the report as JSON")
    .action(async (opts: { collection: string; golden?: string; minRecall?: string; json?: boolean }) => {
      sendLogsToStderr();
      let minRecall: number | undefined;
      if (opts.minRecall !== undefined) {
        minRecall = Number(opts.minRecall);
        if (!Number.isFinite(minRecall) || minRecall < 0 || minRecall > 1)
          throw new AppError("invalid_request", `--min-recall must be a number from 0 to 1, not "${opts.minRecall}".`);
      }
      let cases;
      if (opts.golden) {
        let text: string;
        try {
          text = fs.readFileSync(opts.golden, "utf8");
        } catch (err) {
          throw new AppError(
            "invalid_request",
            `Cannot read the golden file ${opts.golden}: ${(err as Error).message}`,
          );
        }
        cases = parseGoldenJsonl(text);
      }
      const report = (await execute(env(), "eval.run", {
        collection: opts.collection,
        cases,
        minRecall,
        source: opts.golden ? path.basename(opts.golden) : undefined,
      })) as EvaluationReport;
      if (opts.json) print(JSON.stringify(report, null, 2));
      else printReport(report, print);
      setExit(report.passed ? 0 : 1);
    });
}
