import type { Command } from "commander";
import { env, type Env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { Worker } from "@/lib/jobs/worker";
import type { StagedEvaluation, SwapResult } from "@/lib/server/staged-reindex";
import { printTable, ProgressLine } from "./io";
import { execute, withSession, type Session } from "./transport";

// `reindex`: in place (the live table is emptied and refilled by the ingest queue), or staged: built
// beside the live table with --stage, evaluated on every collection's golden set beside its last live
// run, and swapped in with --swap (or at once with --swap-if-passing when no collection falls below
// its pass mark). docs/adr/0032.

interface ReindexOptions {
  stage?: boolean;
  embeddingModel?: string;
  swapIfPassing?: boolean;
  evaluate?: boolean;
  swap?: boolean;
  discard?: boolean;
}

type JobState = { id: string; status: string; progress: number; message: string | null; error: string | null };

const f2 = (x: number) => x.toFixed(2);
const delta = (now: number, before: number | undefined) =>
  before === undefined ? "" : `${now - before >= 0 ? "+" : ""}${(now - before).toFixed(2)}`;

export function printStagedEvaluation(r: StagedEvaluation, print: (line: string) => void): void {
  print(`Staged index: ${r.rows} passages embedded with ${r.embedderId}; live index: ${r.liveEmbedderId ?? "(empty)"}`);
  if (r.comparisons.length === 0) {
    print("No collection has golden questions: add some (Evaluation page, or `eval run --golden`) to compare.");
    return;
  }
  const rows = r.comparisons.map((c) => {
    const live = c.live?.totals;
    return [
      c.collection.name,
      live ? f2(live.recallAt5) : "–",
      f2(c.staged.totals.recallAt5),
      delta(c.staged.totals.recallAt5, live?.recallAt5),
      live ? f2(live.ndcgAt10) : "–",
      f2(c.staged.totals.ndcgAt10),
      delta(c.staged.totals.ndcgAt10, live?.ndcgAt10),
      f2(c.staged.minRecall),
      c.staged.passed ? "pass" : "BELOW",
      c.live ? `${c.live.embedderId}, ${c.live.createdAt.slice(0, 16).replace("T", " ")}` : "never evaluated",
    ];
  });
  printTable(
    [
      "collection",
      "live R@5",
      "staged R@5",
      "Δ",
      "live nDCG@10",
      "staged nDCG@10",
      "Δ",
      "pass mark",
      "",
      "last live run",
    ],
    rows,
    print,
  );
  print(
    r.passed
      ? "PASS: every collection is at or above its pass mark on the staged index."
      : "FAIL: a collection is below its pass mark on the staged index; the live index stays.",
  );
}

export function printSwap(r: SwapResult & { configuredModelPath: string | null }, print: (line: string) => void) {
  print(
    `The staged index (${r.embedderId}, ${r.rows} passages) is now the live index; it replaced ${r.replacedEmbedderId ?? "an empty index"}.`,
  );
  if (r.dropped > 0) print(`${r.dropped} staged version(s) changed or were removed meanwhile and were left out.`);
  if (r.requeued > 0)
    print(`${r.requeued} version(s) published meanwhile are queued to be embedded with the new model.`);
  if ((r.embeddingModelPath ?? null) !== r.configuredModelPath)
    print(
      `Set EMBEDDING_MODEL_PATH=${r.embeddingModelPath ?? "(unset, the built-in embedder)"} in the configuration of every server and worker before they next start.`,
    );
}

async function followJob(session: Session, jobId: string): Promise<JobState> {
  const bar = new ProgressLine(1);
  for (;;) {
    const [job] = (await session.run("jobs.status", { ids: [jobId] })) as JobState[];
    if (!job) throw new AppError("internal", `The staging job ${jobId} disappeared.`);
    bar.update(job.progress, job.message ?? job.status);
    if (job.status === "succeeded" || job.status === "failed") {
      bar.finish();
      return job;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function stageCommand(e: Env, opts: ReindexOptions, print: (line: string) => void): Promise<number> {
  return withSession(e, async (session) => {
    let worker: Worker | undefined;
    if (session.local) {
      // No server owns this database: build here.
      const { startWorkers } = await import("@/ingest/workers");
      worker = startWorkers(session.db!);
    }
    try {
      const { jobId } = (await session.run("reindex.stage", {
        ...(opts.embeddingModel ? { embeddingModelPath: opts.embeddingModel } : {}),
      })) as { jobId: string };
      print(`Building the staged index (job ${jobId}); the live index keeps answering meanwhile.`);
      const job = await followJob(session, jobId);
      if (job.status === "failed") throw new AppError("internal", `The staged build failed: ${job.error ?? "unknown"}`);
      print(job.message ?? "Staged.");
      return await evaluateAndMaybeSwap(session, opts.swapIfPassing ?? false, print);
    } finally {
      await worker?.stop();
    }
  });
}

async function evaluateAndMaybeSwap(session: Session, swap: boolean, print: (line: string) => void) {
  const report = (await session.run("reindex.evaluate", {})) as StagedEvaluation;
  printStagedEvaluation(report, print);
  if (!report.passed) return 1;
  if (swap) printSwap((await session.run("reindex.swap", {})) as Parameters<typeof printSwap>[0], print);
  else print("Swap it in with `npm run cli -- reindex --swap`, or drop it with `npm run cli -- reindex --discard`.");
  return 0;
}

export function registerReindexCommand(
  program: Command,
  print: (line: string) => void,
  setExit: (code: number) => void,
) {
  program
    .command("reindex")
    .description(
      "Re-embed every document: in place (after changing EMBEDDING_MODEL_PATH), or --stage a new index beside the live one, evaluate it and --swap it in.",
    )
    .option("--stage", "build a staged index beside the live one, then evaluate every golden set against it")
    .option(
      "--embedding-model <file.gguf>",
      "with --stage: the GGUF embedding model to stage with (default: the configured one)",
    )
    .option("--swap-if-passing", "with --stage: swap it in when no collection is below its pass mark")
    .option("--evaluate", "evaluate the staged index again")
    .option("--swap", "make the staged index the live one")
    .option("--discard", "drop the staged index")
    .action(async (opts: ReindexOptions) => {
      const modes = [opts.stage, opts.evaluate, opts.swap, opts.discard].filter(Boolean).length;
      if (modes > 1) throw new AppError("invalid_request", "Choose one of --stage, --evaluate, --swap and --discard.");
      if (!opts.stage && (opts.embeddingModel || opts.swapIfPassing))
        throw new AppError("invalid_request", "--embedding-model and --swap-if-passing go with --stage.");
      const e = env();
      if (opts.stage) return setExit(await stageCommand(e, opts, print));
      if (opts.evaluate) return setExit(await withSession(e, (s) => evaluateAndMaybeSwap(s, false, print)));
      if (opts.swap) return printSwap((await execute(e, "reindex.swap", {})) as Parameters<typeof printSwap>[0], print);
      if (opts.discard) {
        const r = (await execute(e, "reindex.discard", {})) as { discarded: boolean };
        return print(r.discarded ? "Dropped the staged index; the live index is unchanged." : "Nothing was staged.");
      }
      const r = (await execute(e, "reindex", {})) as { embedder: string; queued: number };
      print(`Re-indexing ${r.queued} document(s) with ${r.embedder}; follow progress on the collection pages.`);
    });
}
