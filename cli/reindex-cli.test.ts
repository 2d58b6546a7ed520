import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliSandbox } from "@/lib/testing/cli";

// `reindex --stage` / `--swap` as an operator runs them: real child processes, the real embedder
// and index. The staged build runs in the CLI's own worker when no server holds the data.

const box = cliSandbox({ prefix: "kq-reindex-cli-", timeoutMs: 240_000 });

describe("npm run cli -- reindex --stage / --swap", () => {
  it("refuses a swap with nothing staged, mixed modes and a missing model, naming the problem", () => {
    const docs = path.join(box.dataDir, "docs");
    fs.mkdirSync(docs);
    fs.writeFileSync(
      path.join(docs, "falls.md"),
      "# Falls prevention\n\nEvery patient over 65 gets a falls risk assessment within six hours of admission.\n",
    );
    const ingested = box.cli(["ingest", docs, "--collection", "Ward", "--create"]);
    expect(ingested.code, ingested.stderr).toBe(0);

    const early = box.cli(["reindex", "--swap"]);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain("Nothing is staged: run `npm run cli -- reindex --stage` first.");
    const mixed = box.cli(["reindex", "--swap", "--discard"]);
    expect(mixed.stderr).toContain("Choose one of --stage, --evaluate, --swap and --discard.");
    const missing = box.cli(["reindex", "--stage", "--embedding-model", "/no/such.gguf"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("No embedding model at /no/such.gguf.");
  }, 300_000);

  it("builds a staged index and evaluates it, leaving the live index in place until asked", () => {
    const staged = box.cli(["reindex", "--stage"]);
    expect(staged.code, staged.stderr).toBe(0);
    expect(staged.stdout).toContain("the live index keeps answering meanwhile");
    expect(staged.stdout).toMatch(/1 version\(s\) staged with use-lite-512/);
    expect(staged.stdout).toContain("No collection has golden questions");
    expect(staged.stdout).toContain("Swap it in with `npm run cli -- reindex --swap`");
  }, 300_000);

  it("swaps the staged index in once, and the live index answers from it", () => {
    const swapped = box.cli(["reindex", "--swap"]);
    expect(swapped.code, swapped.stderr).toBe(0);
    expect(swapped.stdout).toMatch(/The staged index \(use-lite-512\S*, \d+ passages\) is now the live index/);
    const again = box.cli(["reindex", "--swap"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("Nothing is staged (it was swapped in or discarded)");

    const golden = path.join(box.dataDir, "..", `${path.basename(box.dataDir)}-golden.jsonl`);
    fs.writeFileSync(golden, JSON.stringify({ question: "Who gets a falls risk assessment?", expected: ["falls.md"] }));
    const evaluated = box.cli(["eval", "run", "--collection", "Ward", "--golden", golden]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toContain("PASS: recall@5 1.00");
  }, 300_000);
});
