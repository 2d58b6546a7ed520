import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { insertCollection } from "@/db/queries/collections";
import { markDocumentDeleted, replaceRestrictions } from "@/db/queries/documents";
import { listEvaluationRuns } from "@/db/queries/evaluations";
import { createGroup } from "@/db/queries/groups";
import { getLatestJobOfKind } from "@/db/queries/jobs";
import { jobs } from "@/db/schema";
import { ingestVersion } from "@/ingest/pipeline";
import { buildStagedIndex } from "@/ingest/stage";
import { createTestParser } from "@/ingest/testing/parser";
import { verifyChain } from "@/lib/audit/verify";
import { acceptUpload, INGEST_JOB } from "@/lib/documents/upload";
import { addEvaluationCases } from "@/lib/evaluation/cases";
import { runEvaluation } from "@/lib/evaluation/run";
import { startWorker } from "@/lib/jobs/worker";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createExtractiveGenerator } from "@/lib/models/extractive-generator";
import type { Generator } from "@/lib/models/generator";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { liveIndexInfo, stagedIndexInfo } from "@/lib/vector/staging";
import { EmbedderMismatchError, openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { evaluateStagedIndex, STAGE_JOB, startStagedReindex, swapStagedIndex } from "./staged-reindex";

// A reindex onto a new embedder built beside the live table, evaluated on the golden set against
// the last live run, and swapped in only when asked, brought up to what changed in the meantime.

const parser = createTestParser();
let h: DatabaseHandle;
let dataDir: string;
let uri: string;
let live: Embedder;
let store: ChunkStore;
let generator: Generator;
let wardId: string;
const docs: Record<string, string> = {};
const versions: Record<string, string> = {};

/** A bag-of-words embedder: another identity and dimension than USE-lite, and ranks by shared words. */
function wordEmbedder(): Embedder {
  const dim = 64;
  return {
    id: "test-words@1",
    dim,
    maxTokens: 256,
    async embed(texts) {
      return texts.map((t) => {
        const v = new Float32Array(dim);
        for (const w of t.toLowerCase().match(/[a-z]{3,}/g) ?? []) {
          let hash = 0;
          for (const c of w) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
          v[hash % dim]! += 1;
        }
        const n = Math.hypot(...v) || 1;
        return v.map((x) => x / n);
      });
    },
    async close() {},
  };
}
const staged = wordEmbedder();

async function ingest(fileName: string, text: string) {
  const upload = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 10e6 },
    { collectionId: wardId, fileName, bytes: new TextEncoder().encode(text) },
  );
  if (upload.status !== "queued") throw new Error(`upload of ${fileName}: ${upload.status}`);
  await ingestVersion(
    { db: h.db, store, embedder: live, dataDir, maxDecompressedBytes: 50e6, parser },
    upload.versionId,
    { progress: async () => undefined },
  );
  docs[fileName] = upload.documentId;
  versions[fileName] = upload.versionId;
  return upload;
}

/** Runs the queued staging job through a real worker, as the server would. */
async function stage() {
  await startStagedReindex(h.db, {});
  const worker = startWorker({
    db: h.db,
    pollIntervalMs: 50,
    handlers: {
      [STAGE_JOB]: (_job, ctx) =>
        buildStagedIndex(
          { db: ctx.db, embedder: staged, parser, dataDir, maxDecompressedBytes: 50e6, location: { uri } },
          ctx,
        ),
    },
  });
  worker.wake();
  await worker.idle();
  await worker.stop();
  return getLatestJobOfKind(h.db, { kind: STAGE_JOB });
}

const where = () => ({ uri, liveEmbedderId: live.id });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-staged-"));
  uri = path.join(dataDir, "lance");
  h = await createTestDatabase();
  live = await createEmbedder({});
  store = await openChunkStore({ uri, embedderId: live.id, dim: live.dim });
  generator = createExtractiveGenerator({ parallel: 1, maxQueue: 4 });
  wardId = (await insertCollection(h.db, { name: "Ward", description: "", createdBy: null })).id;
  await ingest(
    "hand-hygiene.md",
    "# Hand hygiene\n\nStaff must perform hand hygiene before touching a patient and after touching patient surroundings.\n",
  );
  await ingest(
    "falls.md",
    "# Falls prevention\n\nEvery patient over 65 gets a falls risk assessment within six hours of admission.\n",
  );
  await ingest(
    "controlled-drugs.md",
    "# Controlled drugs\n\nTwo registered nurses check and sign for every controlled drug taken from the cabinet.\n",
  );
  await addEvaluationCases({ db: h.db, actor: "cli" }, wardId, [
    { question: "When must staff perform hand hygiene?", expected: [{ document: "hand-hygiene.md" }] },
    { question: "Who gets a falls risk assessment?", expected: [{ document: "falls.md" }] },
  ]);
  await runEvaluation({ db: h.db, actor: "cli" }, { store, embedder: live, generator }, { collectionId: wardId });
}, 180_000);

afterAll(async () => {
  await parser.close();
  await generator?.close();
  await store?.close();
  await live?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("a staged reindex", () => {
  it("is refused for evaluation or swap before anything is staged", async () => {
    await expect(swapStagedIndex(h.db, where())).rejects.toThrow(
      "Nothing is staged: run `npm run cli -- reindex --stage` first.",
    );
    await expect(startStagedReindex(h.db, { embeddingModelPath: "/no/such/model.gguf" })).rejects.toThrow(
      "No embedding model at /no/such/model.gguf.",
    );
  });

  it("is built beside the live index, which keeps answering with its own embedder", async () => {
    const liveRows = await store.countRows();
    const job = await stage();
    expect(job).toMatchObject({ status: "succeeded", message: "3 version(s) staged with test-words@1" });
    expect(await stagedIndexInfo({ uri })).toEqual({ embedderId: "test-words@1", dim: 64, rows: liveRows });
    expect(await liveIndexInfo({ uri })).toEqual({ embedderId: live.id, dim: live.dim, rows: liveRows });
    const [q] = await live.embed(["falls risk assessment"]);
    const hits = await store.vectorSearch(q!, { access: { collectionIds: [wardId], groupIds: [] }, limit: 3 });
    expect(hits[0]?.documentId).toBe(docs["falls.md"]);
  });

  it("is scored on the golden set beside the last live run, without recording a run of the collection", async () => {
    const runsBefore = await listEvaluationRuns(h.db, { collectionId: wardId, limit: 10 });
    await expect(evaluateStagedIndex(h.db, { embedder: live, generator }, where())).rejects.toThrow(
      `The staged index was built with test-words@1, not ${live.id}`,
    );
    const report = await evaluateStagedIndex(h.db, { embedder: staged, generator }, where());
    expect(report).toMatchObject({ embedderId: "test-words@1", liveEmbedderId: live.id, passed: true });
    expect(report.comparisons).toHaveLength(1);
    const [c] = report.comparisons;
    expect(c!.collection.name).toBe("Ward");
    expect(c!.staged.totals).toMatchObject({ questions: 2, recallAt5: 1 });
    expect(c!.live).toMatchObject({ embedderId: live.id, totals: runsBefore[0]!.totals, passed: true });
    expect(await listEvaluationRuns(h.db, { collectionId: wardId, limit: 10 })).toHaveLength(runsBefore.length);
    const [event] = await listAuditEvents(h.db, { query: { types: ["index.staged_evaluated"] }, limit: 1 });
    expect(event?.payload).toMatchObject({ embedderId: "test-words@1", passed: true, collections: 1 });
  });

  it("swaps in brought up to date: a deletion, a restriction and a re-check made meanwhile hold, a new upload is queued", async () => {
    // Meanwhile, on the live side: one document deleted, one restricted to a group, one uploaded.
    const pharmacy = await createGroup(h.db, { name: "Pharmacy" });
    await markDocumentDeleted(h.db, { documentId: docs["hand-hygiene.md"]!, deletedBy: null });
    await store.deleteDocument(docs["hand-hygiene.md"]!);
    await replaceRestrictions(h.db, { documentId: docs["controlled-drugs.md"]!, groupIds: [pharmacy.id] });
    await store.setDocumentRestriction(docs["controlled-drugs.md"]!, [pharmacy.id]);
    const late = await ingest("visiting.md", "# Visiting\n\nVisiting hours are from two to eight in the evening.\n");
    // A re-check (as after a privacy policy change) processes a staged version again: its staged
    // rows were cut from the text as it was, so they must not go live.
    await ingestVersion(
      { db: h.db, store, embedder: live, dataDir, maxDecompressedBytes: 50e6, parser },
      versions["falls.md"]!,
      { progress: async () => undefined },
    );

    const jobsFor = async (versionId: string) =>
      (await h.db.select({ payload: jobs.payload }).from(jobs).where(eq(jobs.kind, INGEST_JOB))).filter(
        (j) => (j.payload as { versionId: string }).versionId === versionId,
      ).length;
    const queuedBefore = await jobsFor(late.versionId);
    const fallsQueuedBefore = await jobsFor(versions["falls.md"]!);
    const result = await swapStagedIndex(h.db, where());
    expect(result).toMatchObject({
      embedderId: "test-words@1",
      replacedEmbedderId: live.id,
      dropped: 2,
      requeued: 2,
    });
    expect(await stagedIndexInfo({ uri })).toBeNull();
    expect(await liveIndexInfo({ uri })).toMatchObject({ embedderId: "test-words@1", dim: 64 });

    // The old store refuses rather than mixing embedders; the new one finds what the database allows.
    const [old] = await live.embed(["falls risk assessment"]);
    await expect(
      store.vectorSearch(old!, { access: { collectionIds: [wardId], groupIds: [] }, limit: 3 }),
    ).rejects.toBeInstanceOf(EmbedderMismatchError);
    const promoted = await openChunkStore({ uri, embedderId: staged.id, dim: staged.dim });
    try {
      expect(await promoted.countRows({ documentId: docs["hand-hygiene.md"]! })).toBe(0);
      expect(await promoted.countRows({ documentId: docs["visiting.md"]! })).toBe(0);
      expect(await promoted.countRows({ documentId: docs["falls.md"]! })).toBe(0);
      const [q] = await staged.embed(["registered nurses controlled drug cabinet"]);
      const nurse = { collectionIds: [wardId], groupIds: [] };
      const hits = await promoted.vectorSearch(q!, { access: nurse, limit: 5 });
      expect(hits.map((x) => x.documentId)).not.toContain(docs["controlled-drugs.md"]);
      const text = await promoted.textSearch("controlled drug cabinet", { access: nurse, limit: 5 });
      expect(text).toHaveLength(0);
      const pharmacist = { collectionIds: [wardId], groupIds: [pharmacy.id] };
      const allowed = await promoted.vectorSearch(q!, { access: pharmacist, limit: 5 });
      expect(allowed[0]?.documentId).toBe(docs["controlled-drugs.md"]);
    } finally {
      await promoted.close();
    }
    expect(await jobsFor(late.versionId)).toBe(queuedBefore + 1);
    expect(await jobsFor(versions["falls.md"]!)).toBe(fallsQueuedBefore + 1);
    const [event] = await listAuditEvents(h.db, { query: { types: ["index.swapped"] }, limit: 1 });
    expect(event?.payload).toMatchObject({ embedderId: "test-words@1", replacedEmbedderId: live.id, requeued: 2 });
    expect((await verifyChain(h.db)).ok).toBe(true);
  });
});
