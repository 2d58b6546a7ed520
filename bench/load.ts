// npm run bench:load [-- --askers 10,50,200] [--questions 3] [--docs 24] [--db both|embedded|postgres]
// Concurrent askers against the chat API as the server runs it, in this process: the POST
// handler of app/api/chat/route.ts is called with a Request per question, each asker its own
// user with its own API key, so every question passes the guard, the per-user and per-key
// limits, the bounded answer queue, retrieval, the extractive default generator, the SSE stream
// and the audit trail. No server and no network (a `next start` on the two shared cores would
// measure the build and the HTTP stack too; the route is what decides 429s). Each asker asks
// --questions questions one after another; all askers of a level start together.
// Per level: answers/s, p50/p95 latency (request to the final event), 429s and other failures,
// for the embedded database (PGlite) and for PostgreSQL (TEST_DATABASE_URL or DATABASE_URL, a
// fresh database created and dropped). Target: 50 askers, no 429, p95 < 5 s.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createScratchDatabase } from "@/lib/testing/scratch-db";

const { values } = parseArgs({
  options: {
    askers: { type: "string", default: "10,50,200" },
    questions: { type: "string", default: "3" },
    docs: { type: "string", default: "24" },
    db: { type: "string", default: "both" },
    dir: { type: "string", default: path.resolve(process.cwd(), "../shared/data/regdocs/hipaa-cfr-45-160-164-md") },
    child: { type: "string" },
  },
});

const QUESTIONS = [
  "What must a covered entity include in a notice of privacy practices?",
  "When may protected health information be disclosed for law enforcement purposes?",
  "How long must documentation of policies and procedures be retained?",
  "What are the requirements for a business associate agreement?",
  "Who is responsible for implementing security awareness training?",
  "What is the minimum necessary standard?",
  "How quickly must individuals be notified after a breach of unsecured information?",
  "What access controls does the security rule require?",
];

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  if (values.child) {
    await (await import("./load-child")).runLoad(childOptions(values.child));
    // The server's schedules (retention, upkeep, limits) keep a process alive; this one is done.
    process.exit(0);
  }
  const kinds = values.db === "both" ? ["embedded", "postgres"] : [values.db!];
  for (const kind of kinds) await runChild(kind);
}

function childOptions(kind: string) {
  return {
    kind: kind as "embedded" | "postgres",
    levels: values.askers!.split(",").map(Number),
    questions: Number(values.questions),
    docs: Number(values.docs),
    dir: values.dir!,
    questionList: QUESTIONS,
    report: (line: string) => console.log(line),
    percentile,
    loadAverage,
  };
}

/** Each database in a process of its own: the server's singletons (database, store, env) are per process. */
async function runChild(kind: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-bench-load-"));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "" };
  let dropDatabase: (() => Promise<void>) | undefined;
  if (kind === "postgres") {
    const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (!adminUrl)
      throw new Error("Set TEST_DATABASE_URL (or DATABASE_URL) for the PostgreSQL run, or pass --db embedded");
    const scratch = await createScratchDatabase(adminUrl, "kq_bench_load");
    env.DATABASE_URL = scratch.url;
    dropDatabase = scratch.drop;
  }
  try {
    // Without the react-server condition (the route imports next/navigation), `server-only` stubbed.
    const hook = path.join(path.dirname(process.argv[1]!), "server-only-hook.mjs");
    const args = ["--import", hook, "--import", "tsx/esm", process.argv[1]!, ...process.argv.slice(2), "--child", kind];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, stdio: "inherit" });
      child.on("error", reject);
      child.on("exit", resolve);
    });
    if (code !== 0) throw new Error(`the ${kind} run failed (exit ${code})`);
  } finally {
    await dropDatabase?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
