import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { insertCollection, upsertGrant } from "@/db/queries/collections";
import { createUser } from "@/db/queries/users";
import { ingestVersion } from "@/ingest/pipeline";
import { eventView, readablePayload } from "@/lib/audit/rows";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { acceptUpload } from "@/lib/documents/upload";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createExtractiveGenerator } from "@/lib/models/extractive-generator";
import { NOT_COVERED_REPLY } from "@/lib/rag/prompt";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { prepareAnswer, type AskDeps } from "./ask";
import type { ChatEvent, FinalAnswer } from "./types";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// Asking as of a date through the whole question path (database, pipeline, LanceDB, embedder,
// extractive generator): two versions with different dates and facts; now cites the current one,
// as of a past date the old one, the answer names the version that applied, and the record
// stores asOf with the cited version.

const parser = createTestParser();
const V1 = "# Visitor protocol\n\nVisitors to the neonatal unit may stay until 20:00 and must wash their hands.\n";
const V2 = "# Visitor protocol\n\nVisitors to the neonatal unit may stay until 22:00 and must wear a mask.\n";
const V1_ONLY = "# Parking permits\n\nParking permits for visitors cost 4 pounds a day at the east gate.\n";

let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let nurse: Actor;
let deps: AskDeps;
const ids = { v1: "", v2: "", parkingV1: "", parkingV2: "" };

async function ingest(collectionId: string, fileName: string, text: string, effectiveFrom: string) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1e6 },
    { collectionId, fileName, bytes: new TextEncoder().encode(text), effectiveFrom: new Date(effectiveFrom) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  await ingestVersion({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 1e7, parser }, r.versionId, {
    progress: async () => undefined,
  });
  return r.versionId;
}

async function ask(message: string, asOf?: string): Promise<FinalAnswer> {
  const events: ChatEvent[] = [];
  const prepared = await prepareAnswer(deps, nurse, { message, ...(asOf ? { asOf } : {}) });
  const final = await prepared.run((e) => events.push(e), new AbortController().signal);
  if (!final) throw new Error(JSON.stringify(events.filter((e) => e.event === "error")));
  return final;
}

async function lastAnswered() {
  const [row] = await listAuditEvents(h.db, { query: { types: ["question.answered"] }, limit: 1 });
  return readablePayload(eventView(row!));
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-ask-as-of-"));
  h = await createTestDatabase();
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  const nurseId = (
    await createUser(h.db, { email: "n@as-of.test", name: "N", roles: ["employee"], passwordHash: null })
  ).id;
  const ward = (await insertCollection(h.db, { name: "Ward", description: "", createdBy: null })).id;
  await upsertGrant(h.db, { collectionId: ward, role: "employee", access: "read" });
  nurse = (await actorFromUserId(h.db, nurseId))!;
  deps = { db: h.db, store, embedder, generator: createExtractiveGenerator({ parallel: 2, maxQueue: 4 }) };
  ids.v1 = await ingest(ward, "visitors.md", V1, "2025-01-01T00:00:00Z");
  ids.v2 = await ingest(ward, "visitors.md", V2, "2026-03-01T00:00:00Z");
  // A document that only exists from 2026: asked about 2025, a later version covers it.
  ids.parkingV1 = await ingest(ward, "parking.md", V1_ONLY, "2026-02-01T00:00:00Z");
}, 180_000);

afterAll(async () => {
  await h?.close();
  await store?.close();
  await parser.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("asking as of a date", () => {
  it("cites the version in effect now for a current question, and records no asOf", async () => {
    const final = await ask("Until what time may visitors stay on the neonatal unit?");
    expect(new Set(final.citations.map((c) => c.versionId))).toEqual(new Set([ids.v2]));
    expect(final.answer).toContain("22:00");
    expect(final.answer).not.toContain("20:00");
    expect(final.asOf).toBeNull();
    expect(final.versionsApplied).toMatchObject([
      { versionId: ids.v2, versionNumber: 2, effectiveFrom: "2026-03-01T00:00:00.000Z", effectiveUntil: null },
    ]);
    expect(await lastAnswered()).toMatchObject({ asOf: null });
  });

  it("cites the old version as of a past date, says which version applied, and records asOf", async () => {
    const final = await ask("Until what time may visitors stay on the neonatal unit?", "2025-06-01");
    expect(new Set(final.citations.map((c) => c.versionId))).toEqual(new Set([ids.v1]));
    expect(final.answer).toContain("20:00");
    expect(final.answer).not.toContain("22:00");
    expect(final.answer).toContain(
      "As of 2025-06-01: Visitor protocol, version 1, in effect 2025-01-01 to 2026-02-28 [",
    );
    expect(final.citations[0]).toMatchObject({
      versionNumber: 1,
      effectiveFrom: "2025-01-01T00:00:00.000Z",
      effectiveUntil: "2026-03-01T00:00:00.000Z",
      newerVersion: { versionId: ids.v2, versionNumber: 2 },
    });
    const record = await lastAnswered();
    expect(record.asOf).toBe("2025-06-01T23:59:59.999Z");
    expect(record.versionsApplied).toMatchObject([{ versionId: ids.v1, versionNumber: 1 }]);
    expect((record.retrieved as { versionId: string }[]).every((r) => r.versionId === ids.v1)).toBe(true);
  });

  it("says when the versions then in effect do not cover it, and that a later version does", async () => {
    const final = await ask("How much does a visitor parking permit cost at the east gate?", "2025-06-01");
    expect(final.notCovered).toBe(true);
    expect(final.citations).toEqual([]);
    expect(final.answer).toContain(NOT_COVERED_REPLY);
    expect(final.answer).toContain("The versions in effect on 2025-06-01 do not cover it; a later version does:");
    expect(final.answer).toContain("version 1, in effect 2026-02-01 onwards");
    // Named, never quoted: the later text is not part of an answer about 2025.
    expect(final.answer).not.toContain("4 pounds");
    expect(final.laterVersions).toMatchObject([{ versionId: ids.parkingV1 }]);
  });

  it("refuses an asOf that is not a date or lies in the future, before anything is recorded", async () => {
    await expect(prepareAnswer(deps, nurse, { message: "Visitors?", asOf: "last March" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("asOf must be an ISO date"),
    });
    await expect(prepareAnswer(deps, nurse, { message: "Visitors?", asOf: "2999-01-01" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("must not lie in the future"),
    });
  });
});
