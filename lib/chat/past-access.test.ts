import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { deleteGrant, insertCollection, upsertGrant } from "@/db/queries/collections";
import { replaceRestrictions } from "@/db/queries/documents";
import { addGroupMember, createGroup, removeGroupMember } from "@/db/queries/groups";
import { createUser } from "@/db/queries/users";
import { ingestVersion } from "@/ingest/pipeline";
import { createTestParser } from "@/ingest/testing/parser";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { deleteDocument } from "@/lib/documents/manage";
import { acceptUpload } from "@/lib/documents/upload";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createExtractiveGenerator } from "@/lib/models/extractive-generator";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { recordingGenerator } from "@/lib/testing/recording-generator";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { prepareAnswer, type AskDeps } from "./ask";
import { listMyConversations, readMyConversation } from "./conversations";
import { WITHHELD_MARKER } from "./past-access";
import type { ChatEvent } from "./types";

// Access applies to the past: once a grant or a membership is gone, the asker's old answers that
// drew on what it opened no longer show their text or citations, and a follow-up question does not
// carry them into the prompt. Given back, they show again: it is decided each time from the database.

const parser = createTestParser();
const HAND = "Use an alcohol-based hand rub for 20 to 30 seconds when hands are not visibly soiled.";
const DOSE = "Vancomycin troughs are drawn before the fourth dose.";

let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let nurse: Actor;
let wardId: string, nursesId: string, pharmacyId: string;
let grantId: string;

async function ingest(fileName: string, text: string) {
  const r = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 10e6 },
    { collectionId: wardId, fileName, bytes: new TextEncoder().encode(text) },
  );
  if (r.status !== "queued") throw new Error(`upload of ${fileName}: ${r.status}`);
  await ingestVersion({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 50e6, parser }, r.versionId, {
    progress: async () => undefined,
  });
  return r.documentId;
}

async function ask(deps: AskDeps, message: string, conversationId?: string) {
  const events: ChatEvent[] = [];
  const prepared = await prepareAnswer(deps, nurse, { message, ...(conversationId ? { conversationId } : {}) });
  const final = await prepared.run((e) => events.push(e), new AbortController().signal);
  return final!;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-past-"));
  h = await createTestDatabase();
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  const nurseId = (
    await createUser(h.db, { email: "nurse@past.test", name: "N", roles: ["employee"], passwordHash: null })
  ).id;
  nursesId = (await createGroup(h.db, { name: "Nurses" })).id;
  pharmacyId = (await createGroup(h.db, { name: "Pharmacy" })).id;
  await addGroupMember(h.db, { groupId: nursesId, userId: nurseId });
  await addGroupMember(h.db, { groupId: pharmacyId, userId: nurseId });
  wardId = (await insertCollection(h.db, { name: "Ward", description: "", createdBy: null })).id;
  grantId = (await upsertGrant(h.db, { collectionId: wardId, groupId: nursesId, access: "read" })).id;
  await ingest("hand-hygiene.md", `# Hand hygiene\n\n${HAND}\n`);
  const drugs = await ingest("antibiotics.md", `# Antibiotic levels\n\n${DOSE}\n`);
  await replaceRestrictions(h.db, { documentId: drugs, groupIds: [pharmacyId] });
  await store.setDocumentRestriction(drugs, [pharmacyId]);
  nurse = (await actorFromUserId(h.db, nurseId))!;
});
afterAll(async () => {
  await h.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("old conversations after access is taken away", () => {
  it("a revoked grant withholds the old answer's text and citations, and the follow-up's prompt does not carry it", async () => {
    const { generator, requests } = recordingGenerator(createExtractiveGenerator({ parallel: 1, maxQueue: 1 }));
    const deps = { db: h.db, store, embedder, generator };
    const first = await ask(deps, "How long should the alcohol-based hand rub take?");
    expect(first.answer).toMatch(/20 to 30 seconds/);
    const shown = await readMyConversation(h.db, nurse, first.conversationId);
    expect(shown.messages.find((m) => m.id === first.messageId)).toMatchObject({ withheld: false });

    const asked = requests.length;
    await deleteGrant(h.db, { collectionId: wardId, grantId });
    try {
      const reopened = await readMyConversation(h.db, nurse, first.conversationId);
      const answer = reopened.messages.find((m) => m.id === first.messageId)!;
      expect(answer).toMatchObject({ withheld: true, content: WITHHELD_MARKER, citations: [], sentences: [] });
      expect(JSON.stringify(reopened)).not.toMatch(/20 to 30 seconds|alcohol-based hand rub for/);
      // The asker's own question stays theirs.
      expect(reopened.messages.find((m) => m.role === "user")?.content).toBe(
        "How long should the alcohol-based hand rub take?",
      );

      // The follow-up is refused (nothing readable is left), and nothing reached a model.
      await expect(ask(deps, "And for how many seconds?", first.conversationId)).rejects.toMatchObject({
        status: 403,
      });
      expect(requests).toHaveLength(asked);
    } finally {
      grantId = (await upsertGrant(h.db, { collectionId: wardId, groupId: nursesId, access: "read" })).id;
    }
    // Given back, the answer shows again.
    const again = await readMyConversation(h.db, nurse, first.conversationId);
    expect(again.messages.find((m) => m.id === first.messageId)).toMatchObject({ withheld: false });
  });

  it("leaving a group withholds only the answers from its documents, and a follow-up's history leaves them out", async () => {
    const { generator, requests } = recordingGenerator(createExtractiveGenerator({ parallel: 1, maxQueue: 1 }));
    const deps = { db: h.db, store, embedder, generator };
    const hand = await ask(deps, "How long should the alcohol-based hand rub take?");
    const dose = await ask(deps, "When are vancomycin troughs drawn?", hand.conversationId);
    expect(dose.answer).toMatch(/fourth dose/);

    await removeGroupMember(h.db, { groupId: pharmacyId, userId: nurse.id });
    try {
      const reopened = await readMyConversation(h.db, nurse, hand.conversationId);
      const byId = new Map(reopened.messages.map((m) => [m.id, m]));
      expect(byId.get(hand.messageId)).toMatchObject({ withheld: false });
      expect(byId.get(dose.messageId)).toMatchObject({ withheld: true, content: WITHHELD_MARKER, citations: [] });
      expect(JSON.stringify(reopened)).not.toMatch(/fourth dose/);
      // Nor does a search find the conversation by the withheld answer's words; the asker's own
      // question still finds it.
      const found = async (q: string) => (await listMyConversations(h.db, nurse, { q })).conversations.map((c) => c.id);
      expect(await found("fourth dose")).not.toContain(hand.conversationId);
      expect(await found("vancomycin troughs")).toContain(hand.conversationId);

      const before = requests.length;
      await ask(deps, "Anything else about hand hygiene?", hand.conversationId);
      const prompt = requests[before]!;
      // Only the exchange the asker may still read is sent as history; the other is left out whole.
      expect(prompt.history.map((t) => t.role)).toEqual(["user", "assistant"]);
      expect(prompt.history[0]!.content).toBe("How long should the alcohol-based hand rub take?");
      expect(prompt.history[1]!.content).toMatch(/20 to 30 seconds/);
      expect(JSON.stringify(prompt)).not.toMatch(/fourth dose|vancomycin troughs/i);
    } finally {
      await addGroupMember(h.db, { groupId: pharmacyId, userId: nurse.id });
    }
    expect((await listMyConversations(h.db, nurse, { q: "fourth dose" })).conversations.map((c) => c.id)).toContain(
      hand.conversationId,
    );
  });
});

describe("old conversations after a document is deleted", () => {
  it("withholds an answer drawn from a deleted document, in the conversation and in a follow-up's history", async () => {
    const { generator, requests } = recordingGenerator(createExtractiveGenerator({ parallel: 1, maxQueue: 1 }));
    const deps = { db: h.db, store, embedder, generator };
    const gloves = await ingest("gloves.md", "# Gloves\n\nChange nitrile gloves between every two patients.\n");
    const first = await ask(deps, "When are nitrile gloves changed?");
    expect(first.answer).toMatch(/every two patients/);

    await deleteDocument({ actor: SYSTEM_ACTOR, db: h.db }, store, { documentId: gloves, dataDir });
    const reopened = await readMyConversation(h.db, nurse, first.conversationId);
    expect(reopened.messages.find((m) => m.id === first.messageId)).toMatchObject({
      withheld: true,
      content: WITHHELD_MARKER,
      citations: [],
    });
    expect(JSON.stringify(reopened)).not.toMatch(/every two patients/);
    const before = requests.length;
    await ask(deps, "How long should the alcohol-based hand rub take?", first.conversationId);
    expect(JSON.stringify(requests[before])).not.toMatch(/every two patients|nitrile/);
  });
});

describe("access read again before passages go out", () => {
  it("a grant revoked after the question was admitted withholds the passages the search still found", async () => {
    const deps = { db: h.db, store, embedder, generator: createExtractiveGenerator({ parallel: 1, maxQueue: 1 }) };
    // Admitted with the grant in place: the read scope is resolved now, once, and passed down.
    const prepared = await prepareAnswer(deps, nurse, { message: "How long should the alcohol-based hand rub take?" });
    await deleteGrant(h.db, { collectionId: wardId, grantId });
    try {
      const events: ChatEvent[] = [];
      const final = await prepared.run((e) => events.push(e), new AbortController().signal);
      expect(final!.notCovered).toBe(true);
      expect(final!.citations).toEqual([]);
      expect(JSON.stringify(events)).not.toMatch(/20 to 30 seconds/);
    } finally {
      grantId = (await upsertGrant(h.db, { collectionId: wardId, groupId: nursesId, access: "read" })).id;
    }
  });
});
