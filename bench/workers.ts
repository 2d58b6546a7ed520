// Ingestion throughput with one and with two worker processes on object storage: originals
// (FILES_URI) and the chunk table (LANCEDB_URI) in one s3rver bucket on loopback, one PostgreSQL,
// each worker with its own empty DATA_DIR (no shared disk). Small Markdown documents are uploaded
// through the upload verb, then `cli worker` processes drain the queue; the figure is documents
// per second from the first job started to the last finished (model loading excluded), with the
// number of index upkeep runs the cluster made.
//
//   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:workers -- [--docs 1000] [--workers 1,2]
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { migrateDatabase, openDatabase } from "@/db/client";
import { addCollection } from "@/lib/collections/admin";
import { newHexKey } from "@/lib/crypto/keyring";
import { acceptUpload } from "@/lib/documents/upload";
import { resetEnvCache } from "@/lib/env";
import { startS3rver } from "@/lib/testing/s3rver";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createScratchDatabase } from "@/lib/testing/scratch-db";

const { values } = parseArgs({
  options: { docs: { type: "string", default: "1000" }, workers: { type: "string", default: "1,2" } },
});
const DOCS = Number(values.docs);
const COUNTS = values.workers.split(",").map(Number);
const WORDS = [
  "ward",
  "dosage",
  "consent",
  "audit",
  "discharge",
  "triage",
  "hygiene",
  "escalation",
  "record",
  "review",
];

function document(i: number): string {
  const w = (k: number) => WORDS[(i * 7 + k) % WORDS.length];
  return `# Procedure ${i}: ${w(0)} and ${w(1)}\n\nStaff check the ${w(2)} log before each ${w(3)}. Procedure ${i} applies to ${w(4)} on every ward, and the ${w(5)} lead signs the ${w(6)} sheet.\n`;
}

async function run(adminUrl: string, workers: number) {
  const s3 = await startS3rver(`kq-bench-${workers}w`);
  const scratch = await createScratchDatabase(adminUrl, "kq_bench_workers");
  const url = scratch.url;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kq-bench-workers-"));
  const keyFile = path.join(tmp, "kek");
  fs.writeFileSync(keyFile, newHexKey(), { mode: 0o600 });
  const shared = {
    ...s3.envVars,
    DATABASE_URL: url,
    FILES_URI: `s3://${s3.bucket}/files`,
    LANCEDB_URI: `s3://${s3.bucket}/lance`,
    ENCRYPTION_KEY_FILE: keyFile,
  };
  const children: ChildProcess[] = [];
  const handle = await openDatabase({ url: url, poolMax: 4 });
  const q = new pg.Client({ connectionString: url });
  try {
    await migrateDatabase(handle, url);
    await q.connect();
    // This process uploads as an app node would: same settings, its own (unused) DATA_DIR.
    Object.assign(process.env, shared, { DATA_DIR: path.join(tmp, "uploader") });
    resetEnvCache();
    const collection = await addCollection({ actor: SYSTEM_ACTOR, db: handle.db }, { name: "Bench", description: "" });
    const up = performance.now();
    for (let i = 0; i < DOCS; i++) {
      const r = await acceptUpload(
        { actor: SYSTEM_ACTOR, db: handle.db },
        { dataDir: path.join(tmp, "uploader"), maxUploadBytes: 1 << 20 },
        { collectionId: collection.id, fileName: `procedure-${i}.md`, bytes: Buffer.from(document(i)) },
      );
      if (r.status !== "queued") throw new Error(`upload ${i}: ${r.status}`);
    }
    const uploadSeconds = (performance.now() - up) / 1000;

    let upkeepRuns = 0;
    for (let w = 0; w < workers; w++) {
      const dataDir = path.join(tmp, `worker-${w}`);
      fs.mkdirSync(dataDir, { mode: 0o700 });
      const child = spawn(
        process.execPath,
        ["--conditions=react-server", "--import", "tsx", "cli/main.ts", "worker", "--concurrency", "1"],
        {
          env: { PATH: process.env.PATH, NODE_ENV: "production", ...shared, DATA_DIR: dataDir, LOG_LEVEL: "info" },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      child.stdout!.on("data", (d: Buffer) => {
        upkeepRuns += d
          .toString()
          .split("\n")
          .filter((l) => l.includes('"index upkeep done"')).length;
      });
      children.push(child);
    }
    for (;;) {
      const { rows } = await q.query(
        "select count(*) filter (where status in ('succeeded','failed'))::int as done, count(*) filter (where status = 'failed')::int as failed from jobs",
      );
      if (rows[0].done >= DOCS) {
        if (rows[0].failed > 0) throw new Error(`${rows[0].failed} ingestion jobs failed`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const { rows } = await q.query(
      "select extract(epoch from max(finished_at) - min(started_at))::float as seconds from jobs",
    );
    const seconds = rows[0].seconds as number;
    const leftOnDisk = children.map((_, w) => fs.readdirSync(path.join(tmp, `worker-${w}`)).length);
    console.log(
      `${workers} worker${workers > 1 ? "s" : ""}: ${DOCS} documents in ${seconds.toFixed(1)} s = ${(DOCS / seconds).toFixed(1)} documents/s; ` +
        `index upkeep ran ${upkeepRuns} times (not once per document); uploads ${(DOCS / uploadSeconds).toFixed(0)}/s; ` +
        `entries under the workers' DATA_DIRs: ${leftOnDisk.join(", ")}`,
    );
    return DOCS / seconds;
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    await q.end();
    await handle.close();
    await scratch.drop();
    await s3.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main() {
  const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!adminUrl)
    throw new Error("Set TEST_DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres");
  console.log(`${os.availableParallelism()} CPUs, load ${os.loadavg()[0]!.toFixed(1)}; s3rver on loopback, PostgreSQL`);
  const rates: number[] = [];
  for (const w of COUNTS) rates.push(await run(adminUrl, w));
  if (rates.length === 2) console.log(`two workers / one worker: ${(rates[1]! / rates[0]!).toFixed(2)}×`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
