import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { insertCollection, upsertGrant } from "@/db/queries/collections";
import { listEvaluationCases, listEvaluationRuns } from "@/db/queries/evaluations";
import { replaceRestrictions } from "@/db/queries/documents";
import { createGroup } from "@/db/queries/groups";
import { createUser } from "@/db/queries/users";
import { ingestVersion } from "@/ingest/pipeline";
import { verifyChain } from "@/lib/audit/verify";
import { renderMetrics } from "@/lib/metrics/scrape";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { acceptUpload } from "@/lib/documents/upload";
import { AppError } from "@/lib/errors";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createExtractiveGenerator } from "@/lib/models/extractive-generator";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { addEvaluationCases, changeMinRecall, getEvaluation, removeEvaluationCase } from "./cases";
import { parseGoldenJsonl } from "./golden";
import { runEvaluation, type EvaluationEngines } from "./run";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// A collection's golden set scored through the served retrieval and answer path, with the real
// database, LanceDB, USE-lite and the extractive generator.

const parser = createTestParser();
let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let engines: EvaluationEngines;
let wardId: string;
let otherId: string;
let manager: Actor;
let reader: Actor;
let outsider: Actor;

async function ingest(collectionId: string, fileName: string, text: string) {
  const upload = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 10e6 },
    { collectionId, fileName, bytes: new TextEncoder().encode(text) },
  );
  if (upload.status !== "queued") throw new Error(`upload of ${fileName}: ${upload.status}`);
  await ingestVersion({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 50e6, parser }, upload.versionId, {
    progress: async () => undefined,
  });
  return upload.documentId;
}

async function actor(email: string, roles: ("employee" | "admin")[] = ["employee"]) {
  const { id } = await createUser(h.db, { email, name: email, roles, passwordHash: null });
  return (await actorFromUserId(h.db, id))!;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-eval-"));
  h = await createTestDatabase();
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  engines = { store, embedder, generator: createExtractiveGenerator({ parallel: 1, maxQueue: 4 }) };
  wardId = (await insertCollection(h.db, { name: "Ward", description: "", createdBy: null })).id;
  otherId = (await insertCollection(h.db, { name: "Other", description: "", createdBy: null })).id;
  const managers = await createGroup(h.db, { name: "Ward managers" });
  const readers = await createGroup(h.db, { name: "Ward readers" });
  const pharmacy = await createGroup(h.db, { name: "Pharmacy" });
  await upsertGrant(h.db, { collectionId: wardId, groupId: managers.id, access: "manage" });
  await upsertGrant(h.db, { collectionId: wardId, groupId: readers.id, access: "read" });
  manager = await actor("manager@eval.test");
  reader = await actor("reader@eval.test");
  outsider = await actor("outsider@eval.test");
  const { addGroupMember } = await import("@/db/queries/groups");
  await addGroupMember(h.db, { groupId: managers.id, userId: manager.id });
  await addGroupMember(h.db, { groupId: readers.id, userId: reader.id });
  manager = (await actorFromUserId(h.db, manager.id))!;
  reader = (await actorFromUserId(h.db, reader.id))!;

  await ingest(
    wardId,
    "hand-hygiene.md",
    "# Hand hygiene\n\nStaff must perform hand hygiene before touching a patient and after touching patient surroundings.\n\nUse an alcohol-based hand rub for 20 to 30 seconds when hands are not visibly soiled.\n",
  );
  await ingest(
    wardId,
    "falls.md",
    "# Falls prevention\n\nEvery patient over 65 gets a falls risk assessment within six hours of admission.\n\nBed rails are not a falls prevention measure.\n",
  );
  const drugs = await ingest(
    wardId,
    "controlled-drugs.md",
    "# Controlled drugs\n\nTwo registered nurses check and sign for every controlled drug taken from the cabinet.\n",
  );
  // Restricted to a group the manager is not in: the evaluation still judges the whole index.
  await replaceRestrictions(h.db, { documentId: drugs, groupIds: [pharmacy.id] });
  await store.setDocumentRestriction(drugs, [pharmacy.id]);
  await ingest(otherId, "budget.md", "# Budget\n\nThe ward budget for hand rub is 400 pounds a month.\n");
}, 180_000);

afterAll(async () => {
  await parser.close();
  await engines?.generator.close();
  await store?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("golden questions", () => {
  it("a manager keeps a golden set; unknown documents and bad input are refused and change nothing", async () => {
    const ctx = { db: h.db, actor: manager };
    await addEvaluationCases(ctx, wardId, [
      { question: "When must staff perform hand hygiene?", expected: [{ document: "hand-hygiene.md" }] },
      { question: "When is a falls risk assessment done?", expected: [{ document: "Falls.md" }] },
    ]);
    await expect(
      addEvaluationCases(ctx, wardId, [
        { question: "What is the budget for hand rub?", expected: [{ document: "budget.md" }] },
      ]),
    ).rejects.toThrow('The collection "Ward" has no document named "budget.md".');
    const view = await getEvaluation(ctx, wardId);
    expect(view.cases.map((c) => c.question)).toEqual([
      "When must staff perform hand hygiene?",
      "When is a falls risk assessment done?",
    ]);
    expect(view.minRecall).toBe(0.8);
    await expect(changeMinRecall(ctx, wardId, 1.5)).rejects.toThrow("The pass mark must be between 0 and 1.");
  });

  it("readers and outsiders cannot see or change the golden set", async () => {
    await expect(getEvaluation({ db: h.db, actor: reader }, wardId)).rejects.toThrow(
      "You may read this collection but not manage it.",
    );
    const notFound = await getEvaluation({ db: h.db, actor: outsider }, wardId).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(AppError);
    expect((notFound as AppError).code).toBe("not_found");
    await expect(
      addEvaluationCases({ db: h.db, actor: reader }, wardId, [
        { question: "x?", expected: [{ document: "falls.md" }] },
      ]),
    ).rejects.toThrow("You may read this collection but not manage it.");
    expect(await listEvaluationCases(h.db, { collectionId: wardId })).toHaveLength(2);
    const [first] = await listEvaluationCases(h.db, { collectionId: wardId });
    await expect(removeEvaluationCase({ db: h.db, actor: reader }, wardId, first!.id)).rejects.toThrow(AppError);
    await expect(removeEvaluationCase({ db: h.db, actor: manager }, otherId, first!.id)).rejects.toThrow(AppError);
    expect(await listEvaluationCases(h.db, { collectionId: wardId })).toHaveLength(2);
  });

  it("a run scores recall, nDCG, citations and not-covered answers, keeps identities and is audited", async () => {
    const report = await runEvaluation({ db: h.db, actor: manager }, engines, { collectionId: wardId });
    expect(report.totals.questions).toBe(2);
    expect(report.totals.recallAt5).toBe(1);
    expect(report.totals.ndcgAt10).toBeGreaterThan(0.6);
    expect(report.totals.notCoveredShare).toBe(0);
    expect(report.totals.citationPrecision).toBeGreaterThan(0.5);
    expect(report.passed).toBe(true);
    expect(report.questions[0]).toMatchObject({
      retrieved: expect.arrayContaining(["hand-hygiene.md"]),
      cited: ["hand-hygiene.md"],
    });
    expect(report).toMatchObject({
      embedderId: embedder.id,
      generatorId: "extractive",
      chunkerId: expect.stringContaining("256"),
    });
    // Names and numbers only: no passage text is kept with a run.
    const [stored] = await listEvaluationRuns(h.db, { collectionId: wardId, limit: 1 });
    expect(JSON.stringify(stored)).not.toContain("before touching a patient");
    const [event] = await listAuditEvents(h.db, { query: { types: ["evaluation.run"] }, limit: 1 });
    expect(event).toBeDefined();
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("a golden file can name restricted documents and phrases; misses and unknown names lower the scores", async () => {
    const cases = parseGoldenJsonl(
      [
        JSON.stringify({ question: "Who signs for controlled drugs?", expected: ["controlled-drugs.md"] }),
        JSON.stringify({
          question: "How long should the hand rub be used?",
          expected: [{ document: "hand-hygiene.md", phrases: ["20 to 30 seconds"] }],
        }),
        JSON.stringify({ question: "What is the ward budget for hand rub?", expected: ["budget.md"] }),
        JSON.stringify({ question: "What colour is the moon over the car park?", expected: ["no-such-file.md"] }),
      ].join("\n"),
    );
    const report = await runEvaluation({ db: h.db, actor: "cli" }, engines, {
      collectionId: wardId,
      cases,
      minRecall: 0.9,
      source: "golden.jsonl",
    });
    const [drugs, rub, budget, moon] = report.questions;
    expect(drugs!.recallAt5).toBe(1);
    expect(rub!.recallAt5).toBe(1);
    // Another collection's document cannot be found from this one.
    expect(budget!.recallAt5).toBe(0);
    expect(moon!.missing).toEqual(["no-such-file.md"]);
    expect(report.totals.recallAt5).toBe(0.5);
    expect(report.passed).toBe(false);
    expect(report.source).toBe("golden.jsonl");
  });
});

describe("the latest run flags the collection", () => {
  it("in the metrics, read at scrape time", async () => {
    const { body } = await renderMetrics({ db: async () => h.db });
    // The run from a file above scored 0.5 against a pass mark of 0.9.
    expect(body).toContain('kq_evaluation_recall_at_5{collection="Ward"} 0.5');
    expect(body).toContain('kq_evaluation_below_pass_mark{collection="Ward"} 1');
    const report = await runEvaluation({ db: h.db, actor: manager }, engines, { collectionId: wardId });
    expect(report.passed).toBe(true);
    const after = await renderMetrics({ db: async () => h.db });
    expect(after.body).toContain('kq_evaluation_below_pass_mark{collection="Ward"} 0');
  });
});

describe("golden files", () => {
  it("names every bad line and takes nothing from a file with one", () => {
    const text = [
      JSON.stringify({ question: "ok?", expected: ["a.md"] }),
      "{not json",
      JSON.stringify({ question: "", expected: ["a.md"] }),
      JSON.stringify({ question: "q?", expected: [], extra: 1 }),
    ].join("\n");
    expect(() => parseGoldenJsonl(text)).toThrow(
      /3 bad line\(s\):\nline 2: not valid JSON\nline 3: question: the question is empty\nline 4: .*unknown field "extra"/,
    );
    expect(() => parseGoldenJsonl("\n\n")).toThrow("The golden file holds no questions.");
  });
});
