// The measuring side of bench/load.ts, run in a process whose DATA_DIR and DATABASE_URL name a
// fresh install: seeds a collection of real documents and one user with an API key per asker,
// then calls the chat route's POST handler for each question, as `next start` would.
import fs from "node:fs";
import { listFiles } from "@/cli/ingest";
import { POST } from "@/app/api/chat/route";
import { createUser } from "@/db/queries/users";
import { getParserPool, closeParserPool } from "@/ingest/parser-runtime";
import { ingestVersion } from "@/ingest/pipeline";
import { CLI_ACTOR } from "@/lib/audit/types";
import { createApiKeyForUser } from "@/lib/auth/api-key-admin";
import { addCollection } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { env } from "@/lib/env";
import { getGenerator } from "@/lib/models/generator-runtime";
import { closeDb, getDatabaseHandle } from "@/lib/server/db";
import { getChunkStore, getEmbedder } from "@/lib/server/index-runtime";

export interface LoadOptions {
  kind: "embedded" | "postgres";
  levels: number[];
  questions: number;
  docs: number;
  dir: string;
  questionList: string[];
  report: (line: string) => void;
  percentile: (sorted: number[], p: number) => number;
  loadAverage: () => string;
}

type Outcome = { kind: "answered"; ms: number } | { kind: "refused"; ms: number } | { kind: "failed"; detail: string };

export async function runLoad(o: LoadOptions): Promise<void> {
  const handle = await getDatabaseHandle();
  const db = handle.db;
  const ctx = { actor: CLI_ACTOR, db };
  const seeded = performance.now();
  const [store, embedder, parser] = await Promise.all([getChunkStore(), getEmbedder(), getParserPool()]);
  const { id: collectionId } = await addCollection(ctx, {
    name: "Bench load",
    description: "",
    readers: [{ role: "employee" }],
  });
  const files = (await listFiles(o.dir)).slice(0, o.docs);
  const deps = { db, store, embedder, parser, dataDir: env().dataDir, maxDecompressedBytes: 200 * 1024 * 1024 };
  for (const f of files) {
    const upload = await acceptUpload(
      ctx,
      { dataDir: env().dataDir, maxUploadBytes: 500e6 },
      { collectionId, fileName: f.name, bytes: fs.readFileSync(f.full) },
    );
    if (upload.status === "queued") await ingestVersion(deps, upload.versionId, { progress: async () => undefined });
  }
  const keys: string[] = [];
  for (let i = 0; i < Math.max(...o.levels); i++) {
    const user = await createUser(db, {
      email: `asker${i}@bench.example`,
      name: `Asker ${i}`,
      roles: ["employee"],
      passwordHash: null,
    });
    keys.push((await createApiKeyForUser(ctx, { userId: user.id, name: "bench", scopes: ["chat"] })).key);
  }
  const generator = await getGenerator();
  const queue = generator.status();
  o.report(
    `\n${o.kind === "embedded" ? "Embedded database (PGlite)" : "PostgreSQL"}: ${files.length} documents, ` +
      `${keys.length} askers with API keys, seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s; ` +
      `${queue.kind} generator, ${queue.parallel} answers at once and ${queue.maxQueue} waiting`,
  );

  let asked = 0;
  const ask = async (key: string): Promise<Outcome> => {
    const message = o.questionList[asked++ % o.questionList.length]!;
    const started = performance.now();
    const req = new Request("http://127.0.0.1/api/chat", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ message, collectionIds: [collectionId] }),
    });
    const res = await POST(req, { params: Promise.resolve({}) } as never);
    if (res.status === 429) {
      await res.body?.cancel();
      return { kind: "refused", ms: performance.now() - started };
    }
    const body = await res.text();
    if (res.status !== 200) return { kind: "failed", detail: `${res.status} ${body.slice(0, 200)}` };
    if (!body.includes("event: final")) return { kind: "failed", detail: body.slice(-300) };
    return { kind: "answered", ms: performance.now() - started };
  };

  o.report(`  askers  answers/s     p50      p95   429s  failed  (each asks ${o.questions}; load average)`);
  for (const level of o.levels) {
    const outcomes: Outcome[] = [];
    const started = performance.now();
    await Promise.all(
      keys.slice(0, level).map(async (key) => {
        for (let q = 0; q < o.questions; q++) outcomes.push(await ask(key));
      }),
    );
    const wall = (performance.now() - started) / 1000;
    const answered = outcomes.flatMap((x) => (x.kind === "answered" ? [x.ms] : [])).sort((a, b) => a - b);
    const refused = outcomes.filter((x) => x.kind === "refused").length;
    const failed = outcomes.flatMap((x) => (x.kind === "failed" ? [x.detail] : []));
    const ms = (v: number) => `${(v / 1000).toFixed(2)} s`.padStart(8);
    o.report(
      `  ${String(level).padStart(6)}  ${(answered.length / wall).toFixed(1).padStart(9)}  ${ms(o.percentile(answered, 50))} ${ms(o.percentile(answered, 95))}` +
        `  ${String(refused).padStart(5)}  ${String(failed.length).padStart(6)}  (${o.loadAverage()})`,
    );
    for (const detail of failed.slice(0, 3)) o.report(`    failed: ${detail}`);
  }
  await closeParserPool();
  await store.close();
  await closeDb();
}
