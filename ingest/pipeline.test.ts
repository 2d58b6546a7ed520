import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type DatabaseHandle } from "@/db/client";
import { getDocumentById, getVersionById, listVersions } from "@/db/queries/documents";
import { getJobById } from "@/db/queries/jobs";
import { addCollection } from "@/lib/collections/admin";
import { acceptUpload, INGEST_JOB } from "@/lib/documents/upload";
import { startWorker } from "@/lib/jobs/worker";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { readOriginal } from "@/lib/storage/files";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { chunkDocument } from "./chunk/chunker";
import { parseDocument } from "./parse";
import { ingestVersion } from "./pipeline";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The whole path from an upload to searchable chunks, with the real parser, embedder and
// LanceDB, including a worker process killed in the middle of a job.

const parser = createTestParser();
const REGDOCS = path.resolve(process.cwd(), "../shared/data/regdocs");
const PDF = path.join(REGDOCS, "ffiec-it-handbook-pdf/ffiec_itbooklet_management.pdf");

let dataDir: string;
let pgUrl: string | undefined;
let h: DatabaseHandle;
let embedder: Embedder;
let store: ChunkStore;
let collectionId: string;

async function openDb(): Promise<DatabaseHandle> {
  if (pgUrl) return openDatabase({ url: pgUrl });
  const handle = await openDatabase({ dataDir, owner: "cli" });
  await migrateDatabase(handle);
  return handle;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-pipeline-"));
  if (process.env.TEST_DATABASE_URL) {
    const t = await createTestDatabase();
    pgUrl = t.url;
    h = t;
  } else {
    h = await openDb();
  }
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  collectionId = (await addCollection({ actor: SYSTEM_ACTOR, db: h.db }, { name: "Handbooks", description: "" })).id;
}, 120_000);

afterAll(async () => {
  await parser.close();
  await store?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const noProgress = { progress: async () => undefined };
const deps = () => ({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 200 * 1024 * 1024, parser });

describe("ingestion pipeline", () => {
  it("turns a Markdown upload into published chunks with heading paths, and a new version supersedes it", async () => {
    const v1 = await acceptUpload(
      { actor: SYSTEM_ACTOR, db: h.db },
      { dataDir, maxUploadBytes: 50e6 },
      {
        collectionId,
        fileName: "isolation.md",
        bytes: new TextEncoder().encode(
          "# Isolation\n\n## Contact precautions\n\nWear a gown and gloves for every contact with the patient.\n",
        ),
      },
    );
    if (v1.status !== "queued") throw new Error("expected queued");
    expect(await ingestVersion(deps(), v1.versionId, noProgress)).toBe("1 passage from markdown");
    expect(await store.countRows({ versionId: v1.versionId })).toBe(1);
    const hits = await store.textSearch("gown gloves", {
      access: { collectionIds: [collectionId], groupIds: [] },
      limit: 5,
    });
    expect(hits[0]).toMatchObject({ versionId: v1.versionId, headingPath: "Isolation > Contact precautions" });

    const v2 = await acceptUpload(
      { actor: SYSTEM_ACTOR, db: h.db },
      { dataDir, maxUploadBytes: 50e6 },
      {
        collectionId,
        fileName: "isolation.md",
        bytes: new TextEncoder().encode("# Isolation\n\n## Contact precautions\n\nWear a gown, gloves and a mask.\n"),
      },
    );
    if (v2.status !== "queued") throw new Error("expected queued");
    await ingestVersion(deps(), v2.versionId, noProgress);
    // The old version stays in the index for "as of" questions (issue 15), ended where version 2
    // took effect: a question now finds only version 2, one asked before version 2 only version 1.
    expect(await store.countRows({ versionId: v1.versionId })).toBe(1);
    expect(await store.countRows({ documentId: v1.documentId })).toBe(2);
    const access = { collectionIds: [collectionId], groupIds: [] };
    const now = await store.textSearch("gown gloves", { access, limit: 5 });
    expect(now.map((x) => x.versionId)).toEqual([v2.versionId]);
    const v2From = (await getVersionById(h.db, { id: v2.versionId }))!.effectiveFrom.getTime();
    const before = await store.textSearch("gown gloves", { access, limit: 5, effectiveAt: v2From - 1 });
    expect(before.map((x) => x.versionId)).toEqual([v1.versionId]);
    const versions = await listVersions(h.db, { documentId: v1.documentId });
    expect(versions.map((v) => [v.versionNumber, v.status])).toEqual([
      [2, "ready"],
      [1, "superseded"],
    ]);
    expect((await getVersionById(h.db, { id: v1.versionId }))!.text).toContain("Wear a gown and gloves");
    expect((await getDocumentById(h.db, { id: v1.documentId }))!.currentVersionId).toBe(v2.versionId);
  });

  it("records a clear failure for a file it cannot read, and writes no chunks", async () => {
    const r = await acceptUpload(
      { actor: SYSTEM_ACTOR, db: h.db },
      { dataDir, maxUploadBytes: 50e6 },
      { collectionId, fileName: "empty.txt", bytes: new Uint8Array() },
    );
    if (r.status !== "queued") throw new Error("expected queued");
    await expect(ingestVersion(deps(), r.versionId, noProgress)).rejects.toThrow("The file is empty.");
    expect(await getVersionById(h.db, { id: r.versionId })).toMatchObject({
      status: "failed",
      errorCode: "empty",
      error: "The file is empty.",
    });
    expect(await store.countRows({ versionId: r.versionId })).toBe(0);
  });

  it("survives a worker killed mid-job: the job is resumed and the chunks are exact, never duplicated", async () => {
    const bytes = fs.readFileSync(PDF);
    const expected = chunkDocument(await parseDocument(bytes, { filename: "m.pdf" }), {
      maxTokens: embedder.maxTokens,
    }).length;
    const r = await acceptUpload(
      { actor: SYSTEM_ACTOR, db: h.db },
      { dataDir, maxUploadBytes: 50e6 },
      { collectionId, fileName: "management.pdf", bytes },
    );
    if (r.status !== "queued") throw new Error("expected queued");
    // The embedded database may be opened by one process at a time: hand it to the worker.
    if (!pgUrl) await h.close();

    const child = spawnWorker();
    const sawProgress = await waitForProgress(child, 0.3);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(sawProgress).toBeGreaterThanOrEqual(0.3);

    if (!pgUrl) h = await openDb();
    const interrupted = await getJobById(h.db, { id: r.jobId });
    expect(interrupted).toMatchObject({ status: "running", attempts: 1 });

    const worker = startWorker({
      db: h.db,
      handlers: {
        [INGEST_JOB]: (job, ctx) =>
          ingestVersion({ ...deps(), db: ctx.db }, (job.payload as { versionId: string }).versionId, ctx),
      },
      staleAfterMs: 1500,
      pollIntervalMs: 200,
    });
    try {
      for (let i = 0; i < 600; i++) {
        const job = await getJobById(h.db, { id: r.jobId });
        if (job!.status === "succeeded" || job!.status === "failed") break;
        await new Promise((res) => setTimeout(res, 200));
      }
    } finally {
      await worker.stop();
    }
    expect(await getJobById(h.db, { id: r.jobId })).toMatchObject({ status: "succeeded", attempts: 2 });
    const version = await getVersionById(h.db, { id: r.versionId });
    expect(version).toMatchObject({ status: "ready", chunkCount: expected, pageCount: 66 });
    expect(await store.countRows({ documentId: r.documentId })).toBe(expected);

    // Running the finished job again (a crash after writing, before it was marked done) changes nothing.
    await ingestVersion(deps(), r.versionId, noProgress);
    expect(await store.countRows({ documentId: r.documentId })).toBe(expected);
    expect(
      await readOriginal(dataDir, { id: version!.id, storagePath: version!.storagePath!, dataKey: version!.dataKey }),
    ).toEqual(bytes);
  }, 240_000);
});

function spawnWorker(): ChildProcess {
  return spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "cli/main.ts", "worker", "--concurrency", "1"],
    {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: pgUrl ?? "", LOG_LEVEL: "debug" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

/** Resolves with the first reported progress at or above `min`, read from the worker's debug log. */
function waitForProgress(child: ChildProcess, min: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(
      () => reject(new Error(`no progress ≥ ${min} within 120 s; output: ${buffer.slice(-2000)}`)),
      120_000,
    );
    child.stdout!.on("data", (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; progress?: number };
          if (entry.msg === "job progress" && (entry.progress ?? 0) >= min && (entry.progress ?? 0) < 0.9) {
            clearTimeout(timer);
            resolve(entry.progress!);
          }
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
        }
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`worker exited (${code}) before progress; output: ${buffer.slice(-2000)}`)),
    );
  });
}
