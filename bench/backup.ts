// npm run bench:backup [-- --dir <folder>] [--limit <files>]
// Backup and restore of one collection of real documents (default: the HIPAA policies in
// ../shared/data/regdocs/datica-hipaa-policies-md; --dir ../shared/data/regdocs for all of them):
// ingests them through the pipeline into a fresh embedded installation, then measures
//   1. backup create: seconds, archive size, and what it holds (rows, chunks, originals);
//   2. backup verify (offline: every chunk decrypted, every entry hashed, the signature checked);
//   3. backup restore into an empty data folder (database, chunk table and its indexes, files, keys);
// with the process's peak resident memory, which the chunked format keeps independent of size.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { migrateDatabase, openDatabase } from "@/db/client";
import { ingestVersion } from "@/ingest/pipeline";
import { parserLimitsFromEnv } from "@/ingest/sandbox/limits";
import { createParserPool } from "@/ingest/sandbox/pool";
import { listFiles } from "@/cli/ingest";
import { writeBackup } from "@/lib/backup/create";
import { checkArchive } from "@/lib/backup/manifest";
import { restoreBackup } from "@/lib/backup/restore";
import { loadSigningKey } from "@/lib/audit/signing-key";
import { CLI_ACTOR } from "@/lib/audit/types";
import { addCollection } from "@/lib/collections/admin";
import { acceptUpload } from "@/lib/documents/upload";
import { parseEnv } from "@/lib/env";
import { createEmbedder } from "@/lib/models/embedder";
import { openChunkStore } from "@/lib/vector/store";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: path.resolve(process.cwd(), "../shared/data/regdocs/datica-hipaa-policies-md") },
    limit: { type: "string" },
  },
});
const seconds = (t: number) => (performance.now() - t) / 1000;
const fmt = (n: number, d = 1) => n.toFixed(d);
const mb = (n: number) => `${fmt(n / 1e6, 2)} MB`;

// The embedder's model dominates the process's memory; what a step adds above it is the figure.
let peakRss = 0;
let baseRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
function resetPeak(): void {
  baseRss = process.memoryUsage().rss;
  peakRss = baseRss;
}
const peak = (): string => `peak RSS ${mb(peakRss)} (+${mb(peakRss - baseRss)} during the step)`;

async function main() {
  let files = await listFiles(values.dir!);
  if (values.limit) files = files.slice(0, Number(values.limit));
  const totalBytes = files.reduce((s, f) => s + fs.statSync(f.full).size, 0);
  console.log(`Collection: ${files.length} files, ${mb(totalBytes)} from ${values.dir}`);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), "kq-bench-backup-"));
  const dataDir = path.join(root, "data");
  const embedder = await createEmbedder({});
  const parser = createParserPool({ size: 1, limits: parserLimitsFromEnv(parseEnv({})) });
  const key = randomBytes(32);
  const archive = path.join(root, "backup.kqa");
  try {
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
        { name: "Regulations", description: "" },
      );
      const deps = { db: handle.db, store, embedder, parser, dataDir, maxDecompressedBytes: 200 * 1024 * 1024 };
      const t0 = performance.now();
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
      console.log(`Ingested ${await store.countRows()} chunks in ${fmt(seconds(t0))} s (set-up, not measured below)`);
      await store.close();

      // 1. create
      resetPeak();
      const out = await fs.promises.open(archive, "wx", 0o600);
      const t1 = performance.now();
      const summary = await writeBackup(
        {
          db: handle.db,
          kind: handle.kind,
          dataDir,
          lanceUri: path.join(dataDir, "lance"),
          encryptionKeyFile: undefined,
          signingKey: loadSigningKey({ AUDIT_SIGNING_KEY: undefined, dataDir }),
        },
        key,
        CLI_ACTOR,
        async (bytes) => {
          await out.write(bytes);
        },
      );
      await out.sync();
      await out.close();
      const createSeconds = seconds(t1);
      const size = fs.statSync(archive).size;
      console.log(
        `\nbackup create: ${fmt(createSeconds, 2)} s → archive ${mb(size)} (${fmt(size / 1e6 / createSeconds, 2)} MB/s); ` +
          `${summary.rows} rows in ${summary.tables} tables, ${summary.chunks} chunks, ${summary.files} originals; ${peak()}`,
      );
    } finally {
      await handle.close();
    }

    // 2. verify
    resetPeak();
    const t2 = performance.now();
    await checkArchive(fs.createReadStream(archive, { highWaterMark: 1 << 20 }), key);
    const verifySeconds = seconds(t2);
    console.log(
      `backup verify: ${fmt(verifySeconds, 2)} s (${fmt(fs.statSync(archive).size / 1e6 / verifySeconds, 2)} MB/s); ${peak()}`,
    );

    // 3. restore into an empty folder
    resetPeak();
    const restored = path.join(root, "restored");
    const t3 = performance.now();
    const r = await restoreBackup(
      () => fs.createReadStream(archive, { highWaterMark: 1 << 20 }),
      key,
      { dataDir: restored, lanceUri: path.join(restored, "lance"), encryptionKeyFile: undefined, force: false },
      CLI_ACTOR,
    );
    console.log(
      `backup restore: ${fmt(seconds(t3), 2)} s → ${r.rows} rows, ${r.chunks} chunks (indexes rebuilt), ${r.files} originals; ${peak()}`,
    );
  } finally {
    clearInterval(sampler);
    await parser.close();
    await embedder.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
