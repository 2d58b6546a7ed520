// npm run bench:ingest [-- --dir <folder>] [--limit <files>]
// Ingestion throughput on real documents (default: ../shared/data/regdocs):
//   1. parse + chunk: pages per second (PDF pages) and MB per second (all files), in this process
//      and through the parser sandbox (a separate process per job, as the server parses): the
//      difference is the sandbox's overhead;
//   2. the raw embedder on the resulting chunk texts, alone: chunks per second;
//   3. the whole pipeline (upload → job → parse → chunk → embed → LanceDB → publish) in a fresh
//      embedded database: chunks per second, and its ratio to the raw embedder (the overhead);
//   4. the encryption of originals: the same files stored and read back encrypted (as the pipeline
//      does) and as plain files, and the pipeline's chunks/s with that difference taken out.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { migrateDatabase, openDatabase } from "@/db/client";
import { chunkDocument } from "@/ingest/chunk/chunker";
import { createOcrEngine } from "@/ingest/ocr/engine";
import { parseDocument } from "@/ingest/parse";
import { ingestVersion } from "@/ingest/pipeline";
import { parserLimitsFromEnv } from "@/ingest/sandbox/limits";
import { createParserPool } from "@/ingest/sandbox/pool";
import { ParseError } from "@/lib/documents/parsed";
import { parseEnv } from "@/lib/env";
import { listFiles } from "@/cli/ingest";
import { addCollection } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { createEmbedder } from "@/lib/models/embedder";
import { openChunkStore } from "@/lib/vector/store";
import { readOriginal, saveOriginal } from "@/lib/storage/files";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: path.resolve(process.cwd(), "../shared/data/regdocs") },
    limit: { type: "string" },
  },
});
const seconds = (t: number) => (performance.now() - t) / 1000;
const fmt = (n: number, d = 1) => n.toFixed(d);

async function main() {
  let files = await listFiles(values.dir!);
  if (values.limit) files = files.slice(0, Number(values.limit));
  const totalBytes = files.reduce((s, f) => s + fs.statSync(f.full).size, 0);
  console.log(`Corpus: ${files.length} files, ${fmt(totalBytes / 1e6)} MB from ${values.dir}`);

  const embedder = await createEmbedder({});
  const limits = parserLimitsFromEnv(parseEnv({}));
  const engine = createOcrEngine();
  const inProcessOcr = { engine, pageTimeoutMs: limits.ocrPageTimeoutMs, maxImagePixels: limits.maxImagePixels };
  // 1. parse + chunk
  let pdfPages = 0;
  let pdfSeconds = 0;
  let failed = 0;
  const texts: string[] = [];
  const t1 = performance.now();
  for (const f of files) {
    const bytes = fs.readFileSync(f.full);
    const t = performance.now();
    try {
      const doc = await parseDocument(bytes, { filename: f.name, ocr: inProcessOcr });
      for (const c of chunkDocument(doc, { maxTokens: embedder.maxTokens })) texts.push(c.text);
      if (doc.format === "pdf") {
        pdfPages += doc.pageCount ?? 0;
        pdfSeconds += seconds(t);
      }
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      failed++;
    }
  }
  const parseSeconds = seconds(t1);
  console.log(
    `\nParse + chunk: ${files.length - failed} files (${failed} refused) in ${fmt(parseSeconds, 2)} s → ${fmt(totalBytes / 1e6 / parseSeconds, 2)} MB/s, ${texts.length} chunks`,
  );
  console.log(`  PDF: ${pdfPages} pages in ${fmt(pdfSeconds, 2)} s → ${fmt(pdfPages / pdfSeconds)} pages/s`);

  // 1b. the same files through the sandbox, as the pipeline parses them
  await engine.close();
  const parser = createParserPool({ size: 1, limits });
  const tStart = performance.now();
  await parser.parse(new TextEncoder().encode("warm-up"), { filename: "warm-up.txt", maxDecompressedBytes: 1e6 });
  const startSeconds = seconds(tStart);
  let ocrPages = 0;
  const t1b = performance.now();
  for (const f of files) {
    try {
      const doc = await parser.parse(fs.readFileSync(f.full), {
        filename: f.name,
        maxDecompressedBytes: 200 * 1024 * 1024,
      });
      ocrPages += doc.ocr?.pages.length ?? 0;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
    }
  }
  const sandboxSeconds = seconds(t1b);
  console.log(
    `  in the sandbox: ${fmt(sandboxSeconds, 2)} s (${fmt(sandboxSeconds / parseSeconds, 2)}× in-process; ${ocrPages} pages read with OCR), after a process start of ${fmt(startSeconds, 2)} s`,
  );

  // 2. the raw embedder, same texts, same batch size as the pipeline
  const t2 = performance.now();
  for (let i = 0; i < texts.length; i += 64) await embedder.embed(texts.slice(i, i + 64));
  const rawRate = texts.length / seconds(t2);
  console.log(
    `\nRaw embedder (${embedder.id}): ${texts.length} chunks in ${fmt(seconds(t2))} s → ${fmt(rawRate)} chunks/s`,
  );

  // 3. the pipeline, end to end, in a fresh embedded database
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-bench-ingest-"));
  const handle = await openDatabase({ dataDir, owner: "cli" });
  try {
    await migrateDatabase(handle);
    const store = await openChunkStore({
      uri: path.join(dataDir, "lance"),
      embedderId: embedder.id,
      dim: embedder.dim,
    });
    const { id: collectionId } = await addCollection(
      { actor: SYSTEM_ACTOR, db: handle.db },
      { name: "Bench", description: "" },
    );
    const deps = { db: handle.db, store, embedder, parser, dataDir, maxDecompressedBytes: 200 * 1024 * 1024 };
    let chunks = 0;
    const t3 = performance.now();
    for (const f of files) {
      const r = await acceptUpload(
        { actor: SYSTEM_ACTOR, db: handle.db },
        { dataDir, maxUploadBytes: 500e6 },
        { collectionId, fileName: f.name, bytes: fs.readFileSync(f.full) },
      );
      if (r.status !== "queued") continue;
      try {
        await ingestVersion(deps, r.versionId, { progress: async () => undefined });
      } catch (err) {
        if ((err as Error).name !== "PermanentJobError") throw err;
      }
    }
    const pipelineSeconds = seconds(t3);
    chunks = await store.countRows();
    const pipelineRate = chunks / pipelineSeconds;
    console.log(`\nPipeline: ${chunks} chunks in ${fmt(pipelineSeconds)} s → ${fmt(pipelineRate)} chunks/s`);
    console.log(
      `  ratio pipeline / raw embedder: ${fmt(pipelineRate / rawRate, 2)} (overhead of parsing, storage and bookkeeping)`,
    );
    await store.close();

    // 4. encryption at rest: each original is encrypted once on upload and decrypted once per parse.
    const plainDir = path.join(dataDir, "plain");
    fs.mkdirSync(plainDir);
    const rounds = 3;
    let encSeconds = 0;
    let plainSeconds = 0;
    for (let round = 0; round < rounds; round++) {
      for (const f of files) {
        const bytes = fs.readFileSync(f.full);
        const id = randomUUID();
        const te = performance.now();
        const saved = await saveOriginal(dataDir, id, bytes);
        await readOriginal(dataDir, { id, ...saved });
        encSeconds += seconds(te);
        const tp = performance.now();
        const file = path.join(plainDir, id);
        await fs.promises.writeFile(file, bytes, { mode: 0o600 });
        await fs.promises.readFile(file);
        plainSeconds += seconds(tp);
      }
    }
    const extra = (encSeconds - plainSeconds) / rounds;
    console.log(
      `\nEncryption of originals (AES-256-GCM, a data key per file): store + read ${fmt((encSeconds / rounds) * 1000)} ms encrypted vs ${fmt((plainSeconds / rounds) * 1000)} ms plain for the ${files.length} files (${fmt(totalBytes / 1e6)} MB)`,
    );
    console.log(
      `  pipeline with encryption ${fmt(pipelineRate)} chunks/s, without ${fmt(chunks / Math.max(1e-9, pipelineSeconds - extra))} chunks/s (${fmt((100 * extra) / pipelineSeconds, 2)} % of the pipeline's time)`,
    );
  } finally {
    await parser.close();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  await embedder.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
