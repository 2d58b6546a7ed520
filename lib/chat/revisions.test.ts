import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { insertCollection, upsertGrant } from "@/db/queries/collections";
import { addGroupMember, createGroup, removeGroupMember } from "@/db/queries/groups";
import { createUser } from "@/db/queries/users";
import { ingestVersion } from "@/ingest/pipeline";
import { createTestParser } from "@/ingest/testing/parser";
import { eventView, readablePayload } from "@/lib/audit/rows";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { acceptUpload } from "@/lib/documents/upload";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createExtractiveGenerator } from "@/lib/models/extractive-generator";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { prepareAnswer, type AskDeps, type AskInput } from "./ask";
import { readMyConversation } from "./conversations";
import { reaskRecordedQuestion } from "./reask";
import type { FinalAnswer } from "./types";

// Regenerating an answer and editing a question keep the earlier one (in the conversation, marked
// superseded, and in the audit trail), and only the latest exchange can be revised. A compliance
// re-ask answers a recorded question as of the time it was asked, with the asker's access of
// today, and writes nothing to the asker's conversation.

const parser = createTestParser();
const V1 = "# Visitor protocol\n\nVisitors to the neonatal unit may stay until 20:00 and must wash their hands.\n";
const V2 = "# Visitor protocol\n\nVisitors to the neonatal unit may stay until 22:00 and must wear a mask.\n";

let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let nurse: Actor;
let other: Actor;
let officer: Actor;
let ward: string;
let desk: string;
let deps: AskDeps;

async function ingest(fileName: string, text: string, effectiveFrom: string) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 1e6 },
    { collectionId: ward, fileName, bytes: new TextEncoder().encode(text), effectiveFrom: new Date(effectiveFrom) },
  );
  if (r.status !== "queued") throw new Error(JSON.stringify(r));
  await ingestVersion({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 1e7, parser }, r.versionId, {
    progress: async () => undefined,
  });
}

async function ask(actor: Actor, input: AskInput): Promise<FinalAnswer> {
  const prepared = await prepareAnswer(deps, actor, input);
  const final = await prepared.run(() => undefined, new AbortController().signal);
  if (!final) throw new Error("no answer");
  return final;
}

const answeredRecords = async () =>
  (await listAuditEvents(h.db, { query: { types: ["question.answered"] }, limit: 100 })).map((r) => {
    const v = eventView(r);
    return { seq: v.seq, payload: readablePayload(v) };
  });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-revisions-"));
  h = await createTestDatabase();
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  const user = async (email: string, roles: ("employee" | "compliance")[]) =>
    (await actorFromUserId(h.db, (await createUser(h.db, { email, name: email, roles, passwordHash: null })).id))!;
  nurse = await user("nurse@revisions.test", ["employee"]);
  other = await user("other@revisions.test", ["employee"]);
  officer = await user("officer@revisions.test", ["compliance"]);
  ward = (await insertCollection(h.db, { name: "Ward", description: "", createdBy: null })).id;
  desk = (await createGroup(h.db, { name: "Front desk" })).id;
  for (const u of [nurse, other]) await addGroupMember(h.db, { groupId: desk, userId: u.id });
  await upsertGrant(h.db, { collectionId: ward, groupId: desk, access: "read" });
  nurse = (await actorFromUserId(h.db, nurse.id))!;
  other = (await actorFromUserId(h.db, other.id))!;
  deps = { db: h.db, store, embedder, generator: createExtractiveGenerator({ parallel: 2, maxQueue: 4 }) };
  await ingest("visitors.md", V1, "2025-01-01T00:00:00Z");
  await ingest("visitors.md", V2, "2026-03-01T00:00:00Z");
}, 180_000);

afterAll(async () => {
  await h?.close();
  await store?.close();
  await parser.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("regenerate and edit", () => {
  it("regenerating keeps the first answer, superseded, in the conversation and the audit trail", async () => {
    const first = await ask(nurse, { message: "Until what time may visitors stay?", asOf: "2025-06-01" });
    const again = await ask(nurse, { conversationId: first.conversationId, regenerate: first.messageId });
    expect(again.messageId).not.toBe(first.messageId);
    expect(again.questionId).toBe(first.questionId);
    // The regenerated answer is for the same moment as the first.
    expect(again.asOf).toBe(first.asOf);
    expect(again.answer).toContain("20:00");

    const { messages, conversation } = await readMyConversation(h.db, nurse, first.conversationId);
    expect(conversation.asOf).toBe("2025-06-01T23:59:59.999Z");
    expect(messages.map((m) => [m.id, m.supersededBy])).toEqual([
      [first.questionId, null],
      [first.messageId, again.messageId],
      [again.messageId, null],
    ]);
    expect(messages.find((m) => m.id === first.messageId)!.content).toBe(first.answer);
    expect(messages.every((m) => m.asOf === first.asOf)).toBe(true);

    const records = await answeredRecords();
    const mine = records.filter((r) => r.payload.conversationId === first.conversationId);
    expect(mine.map((r) => r.payload.messageId).sort()).toEqual([first.messageId, again.messageId].sort());
    expect(mine.find((r) => r.payload.messageId === again.messageId)!.payload.revision).toEqual({
      kind: "regenerate",
      questionId: first.questionId,
      answerId: first.messageId,
    });
  });

  it("editing the latest question keeps the first wording and its answer; only the latest exchange can be revised", async () => {
    const first = await ask(nurse, { message: "Until what time may visitors stay on the neonatal unit?" });
    const edited = await ask(nurse, {
      conversationId: first.conversationId,
      editOf: first.questionId,
      message: "Must visitors to the neonatal unit wear a mask?",
    });
    expect(edited.answer).toContain("mask");
    const { messages } = await readMyConversation(h.db, nurse, first.conversationId);
    const byId = new Map(messages.map((m) => [m.id, m]));
    expect(byId.get(first.questionId)).toMatchObject({
      content: "Until what time may visitors stay on the neonatal unit?",
      supersededBy: edited.questionId,
    });
    expect(byId.get(first.messageId)).toMatchObject({ supersededBy: edited.messageId });
    expect(byId.get(edited.questionId)).toMatchObject({
      content: "Must visitors to the neonatal unit wear a mask?",
      supersededBy: null,
    });

    // The replaced exchange is history no longer: regenerating or editing it again is refused.
    await expect(
      prepareAnswer(deps, nurse, { conversationId: first.conversationId, regenerate: first.messageId }),
    ).rejects.toMatchObject({ status: 409 });
    await expect(
      prepareAnswer(deps, nurse, { conversationId: first.conversationId, editOf: first.questionId, message: "x" }),
    ).rejects.toMatchObject({ status: 409 });
    // Someone else's conversation answers like a missing one, and nothing changes in it.
    await expect(
      prepareAnswer(deps, other, { conversationId: first.conversationId, regenerate: edited.messageId }),
    ).rejects.toMatchObject({ status: 404 });
    const after = await readMyConversation(h.db, nurse, first.conversationId);
    expect(after.messages).toEqual(messages);
  });
});

describe("compliance re-ask", () => {
  it("answers a recorded question as of when it was asked, beside the record, without touching the conversation", async () => {
    const original = await ask(nurse, { message: "Until when may visitors stay on the unit?", asOf: "2025-05-01" });
    const [record] = (await answeredRecords()).filter((r) => r.payload.messageId === original.messageId);
    const before = await readMyConversation(h.db, nurse, original.conversationId);

    const outcome = await reaskRecordedQuestion({ actor: officer, deps }, record!.seq);
    expect(outcome.final!.answer).toContain("20:00");
    expect(outcome.final!.versionsApplied.map((v) => v.versionNumber)).toEqual([1]);
    expect(outcome.asker.email).toBe(nurse.email);

    expect(await readMyConversation(h.db, nurse, original.conversationId)).toEqual(before);
    const [reask] = await listAuditEvents(h.db, { query: { types: ["question.reasked"] }, limit: 1 });
    const view = eventView(reask!);
    expect(view.actorEmail).toBe(officer.email);
    expect(readablePayload(view)).toMatchObject({ originalSeq: record!.seq, asker: { email: nurse.email } });
  });

  it("is refused to a non-compliance user and when the asker can no longer read what the question searched", async () => {
    const original = await ask(other, { message: "Until when may visitors stay?" });
    const [record] = (await answeredRecords()).filter((r) => r.payload.messageId === original.messageId);
    await expect(reaskRecordedQuestion({ actor: nurse, deps }, record!.seq)).rejects.toMatchObject({ status: 403 });
    await removeGroupMember(h.db, { groupId: desk, userId: other.id });
    await expect(reaskRecordedQuestion({ actor: officer, deps }, record!.seq)).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining("can no longer read"),
    });
  });
});
