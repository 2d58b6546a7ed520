import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { deleteGrant, insertCollection, upsertGrant } from "@/db/queries/collections";
import { listMessages } from "@/db/queries/conversations";
import { markDocumentDeleted, replaceRestrictions } from "@/db/queries/documents";
import { addGroupMember, createGroup } from "@/db/queries/groups";
import { createUser } from "@/db/queries/users";
import { ingestVersion } from "@/ingest/pipeline";
import { eventView, readablePayload } from "@/lib/audit/rows";
import { verifyChain } from "@/lib/audit/verify";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { acceptUpload } from "@/lib/documents/upload";
import { AppError } from "@/lib/errors";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { createExtractiveGenerator } from "@/lib/models/extractive-generator";
import { NOT_COVERED_REPLY } from "@/lib/rag/prompt";
import { createTestDatabase } from "@/lib/testing/db";
import { createTestParser } from "@/ingest/testing/parser";
import { recordingGenerator } from "@/lib/testing/recording-generator";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { prepareAnswer, type AskDeps } from "./ask";
import type { ChatEvent, FinalAnswer } from "./types";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";

// The whole question path with the real database, LanceDB and USE-lite: what the asker may read
// decides, at request time, what reaches the prompt, the stream, the citations and the record.

const parser = createTestParser();
const SECRET = "ZEBRA-4471";
const FINANCE = "4.2 million pounds";

let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let nurse: Actor;
let pharmacist: Actor;
let outsider: Actor;
let wardId: string;
let financeId: string;
let handDoc: string;
let drugsDoc: string;
let nurseGrant: string;

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

async function user(email: string): Promise<string> {
  return (await createUser(h.db, { email, name: email, roles: ["employee"], passwordHash: null })).id;
}

async function latestEvent(type: string) {
  const [row] = await listAuditEvents(h.db, { query: { types: [type] }, limit: 1 });
  return row ? readablePayload(eventView(row)) : null;
}

async function run(
  deps: AskDeps,
  actor: Actor,
  input: Parameters<typeof prepareAnswer>[2],
  signal = new AbortController().signal,
) {
  const events: ChatEvent[] = [];
  const prepared = await prepareAnswer(deps, actor, input);
  const final = await prepared.run((e) => events.push(e), signal);
  return { events, final, raw: JSON.stringify(events) };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-ask-"));
  h = await createTestDatabase();
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });

  const [nurseId, pharmacistId, outsiderId] = [
    await user("nurse@ask.test"),
    await user("pharmacist@ask.test"),
    await user("outsider@ask.test"),
  ];
  const nurses = await createGroup(h.db, { name: "Nurses" });
  const pharmacy = await createGroup(h.db, { name: "Pharmacy" });
  for (const id of [nurseId, pharmacistId]) await addGroupMember(h.db, { groupId: nurses.id, userId: id });
  await addGroupMember(h.db, { groupId: pharmacy.id, userId: pharmacistId });
  wardId = (await insertCollection(h.db, { name: "Ward", description: "", createdBy: null })).id;
  financeId = (await insertCollection(h.db, { name: "Finance", description: "", createdBy: null })).id;
  nurseGrant = (await upsertGrant(h.db, { collectionId: wardId, groupId: nurses.id, access: "read" })).id;

  handDoc = await ingest(
    wardId,
    "hand-hygiene.md",
    "# Hand hygiene\n\nStaff must perform hand hygiene before touching a patient and after touching patient surroundings.\n\nUse an alcohol-based hand rub for 20 to 30 seconds when hands are not visibly soiled.\n",
  );
  drugsDoc = await ingest(
    wardId,
    "controlled-drugs.md",
    `# Controlled drugs\n\nThe keypad combination for the controlled drugs cabinet is ${SECRET}.\n`,
  );
  await replaceRestrictions(h.db, { documentId: drugsDoc, groupIds: [pharmacy.id] });
  await store.setDocumentRestriction(drugsDoc, [pharmacy.id]);
  await ingest(financeId, "budget.md", `# Cardiology budget\n\nThe cardiology budget for 2027 is ${FINANCE}.\n`);

  nurse = (await actorFromUserId(h.db, nurseId))!;
  pharmacist = (await actorFromUserId(h.db, pharmacistId))!;
  outsider = (await actorFromUserId(h.db, outsiderId))!;
}, 180_000);

afterAll(async () => {
  await parser.close();
  await store?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("asking with the extractive generator", () => {
  it("streams a cited answer from the readable document and stores it", async () => {
    const { generator, requests } = recordingGenerator(createExtractiveGenerator({ parallel: 2, maxQueue: 2 }));
    const { events, final } = await run({ db: h.db, store, embedder, generator }, nurse, {
      message: "When must staff perform hand hygiene?",
    });
    expect(events[0]!.event).toBe("meta");
    expect(events.filter((e) => e.event === "token").length).toBeGreaterThan(3);
    expect(events.at(-1)!.event).toBe("final");
    const f = final as FinalAnswer;
    expect(f.citations[0]).toMatchObject({ documentId: handDoc, versionNumber: 1, headingPath: "Hand hygiene" });
    expect(f.answer).toContain("before touching a patient");
    expect(f.sentences.filter((s) => s.citations.length > 0).every((s) => s.support === "supported")).toBe(true);
    expect(f.model).toMatchObject({ kind: "extractive", modelFile: null, embedderId: embedder.id });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.system).toContain("<passages>");

    const stored = await listMessages(h.db, { conversationId: f.conversationId, userId: nurse.id });
    expect(stored.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "complete"],
    ]);
    expect(stored[1]!.content).toBe(f.answer);
    expect(stored[1]!.model).toMatchObject({ kind: "extractive" });
  });

  it("never puts a restricted document or another collection into the prompt, the stream or the stored answer", async () => {
    const { generator, requests } = recordingGenerator(createExtractiveGenerator({ parallel: 2, maxQueue: 2 }));
    const deps = { db: h.db, store, embedder, generator };
    for (const message of [
      `What is the keypad combination for the controlled drugs cabinet ${SECRET}?`,
      `What is the cardiology budget for 2027? ${FINANCE}`,
    ]) {
      const { events, final } = await run(deps, nurse, { message });
      const streamed = JSON.stringify(events.filter((e) => e.event !== "meta"));
      expect(streamed).not.toContain("keypad combination for the controlled drugs cabinet is");
      expect(streamed).not.toContain("budget for 2027 is");
      for (const c of final!.citations) expect(c.documentId).toBe(handDoc);
      const stored = await listMessages(h.db, { conversationId: final!.conversationId, userId: nurse.id });
      expect(stored.find((m) => m.role === "assistant")!.content).not.toMatch(/is ZEBRA|is 4\.2/);
    }
    for (const r of requests) {
      expect(r.system).not.toContain(SECRET);
      expect(r.system).not.toContain(FINANCE);
    }
    // The same question from a member of the restricting group does reach the passage.
    const member = await run(deps, pharmacist, {
      message: "What is the keypad combination for the controlled drugs cabinet?",
    });
    expect(member.final!.citations.map((c) => c.documentId)).toContain(drugsDoc);
    expect(member.final!.answer).toContain(SECRET);
  });

  it("answers 'not covered' without calling the generator when nothing relevant is readable", async () => {
    const { generator, requests } = recordingGenerator(createExtractiveGenerator({ parallel: 1, maxQueue: 0 }));
    const { final, events } = await run({ db: h.db, store, embedder, generator }, nurse, {
      message: "Who won the football world cup in 1998?",
    });
    expect(final).toMatchObject({ notCovered: true, answer: NOT_COVERED_REPLY, citations: [] });
    expect(
      events
        .filter((e) => e.event === "token")
        .map((e) => (e.data as { text: string }).text)
        .join(""),
    ).toBe(NOT_COVERED_REPLY);
    expect(requests).toHaveLength(0);
    // The place in the queue was given back: another question can be asked at once.
    expect(generator.status()).toMatchObject({ active: 0, queued: 0 });
    await (await prepareAnswer({ db: h.db, store, embedder, generator }, nurse, { message: "hand hygiene" })).cancel();
  });

  it("refuses before streaming: no grant (403), someone else's conversation or an unreadable collection (404), a full queue (429)", async () => {
    const generator = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    const deps = { db: h.db, store, embedder, generator };
    const refusal = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      return err as AppError;
    };
    expect((await refusal(prepareAnswer(deps, outsider, { message: "hand hygiene" }))).status).toBe(403);
    const own = await run(deps, nurse, { message: "hand rub duration" });
    expect(
      (await refusal(prepareAnswer(deps, pharmacist, { message: "and?", conversationId: own.final!.conversationId })))
        .status,
    ).toBe(404);
    expect((await refusal(prepareAnswer(deps, nurse, { message: "budget", collectionIds: [financeId] }))).message).toBe(
      "No collection with this id.",
    );

    const holding = await prepareAnswer(deps, nurse, { message: "hand hygiene" });
    const full = await refusal(prepareAnswer(deps, nurse, { message: "hand hygiene" }));
    expect(full.status).toBe(429);
    expect(Number(full.headers!["retry-after"])).toBeGreaterThanOrEqual(1);
    holding.cancel();
    (await prepareAnswer(deps, nurse, { message: "hand hygiene" })).cancel();
  });

  it("drops hits that Postgres no longer backs, such as a document deleted before the index caught up", async () => {
    const doc = await ingest(
      wardId,
      "gloves.md",
      "# Gloves\n\nNitrile gloves are changed between every patient contact on the ward.\n",
    );
    const { generator } = recordingGenerator(createExtractiveGenerator({ parallel: 1, maxQueue: 1 }));
    const deps = { db: h.db, store, embedder, generator };
    const before = await run(deps, nurse, { message: "When are nitrile gloves changed?" });
    expect(before.final!.citations.map((c) => c.documentId)).toContain(doc);
    await markDocumentDeleted(h.db, { documentId: doc, deletedBy: null });
    expect(await store.countRows({ documentId: doc })).toBeGreaterThan(0);
    const after = await run(deps, nurse, { message: "When are nitrile gloves changed?" });
    expect(after.final!.citations.map((c) => c.documentId)).not.toContain(doc);
    expect(after.raw).not.toContain("Nitrile gloves are changed");
    await store.deleteDocument(doc);
  });

  it("passes earlier turns of the conversation as history", async () => {
    const { generator, requests } = recordingGenerator(createExtractiveGenerator({ parallel: 1, maxQueue: 1 }));
    const deps = { db: h.db, store, embedder, generator };
    const first = await run(deps, nurse, { message: "When must staff perform hand hygiene?" });
    await run(deps, nurse, {
      message: "How long should the hand rub take?",
      conversationId: first.final!.conversationId,
    });
    expect(requests[1]!.history.map((t) => t.role)).toEqual(["user", "assistant"]);
    expect(requests[1]!.history[0]!.content).toBe("When must staff perform hand hygiene?");
  });

  it("finds what a short follow-up refers to through the question before it", async () => {
    const deps = { db: h.db, store, embedder, generator: createExtractiveGenerator({ parallel: 1, maxQueue: 1 }) };
    const alone = await run(deps, nurse, { message: "For how many seconds?" });
    expect(alone.final!.notCovered).toBe(true);
    const first = await run(deps, nurse, { message: "What should staff use when hands are not visibly soiled?" });
    const followUp = await run(deps, nurse, {
      message: "For how many seconds?",
      conversationId: first.final!.conversationId,
    });
    expect(followUp.final!.notCovered).toBe(false);
    expect(followUp.final!.citations.map((c) => c.documentId)).toContain(handDoc);
    expect(followUp.final!.answer).toMatch(/20 to 30 seconds/);
  });

  it("stops reading a collection the moment its grant is revoked", async () => {
    const generator = createExtractiveGenerator({ parallel: 1, maxQueue: 1 });
    const deps = { db: h.db, store, embedder, generator };
    await deleteGrant(h.db, { collectionId: wardId, grantId: nurseGrant });
    try {
      const fresh = (await actorFromUserId(h.db, nurse.id))!;
      await expect(prepareAnswer(deps, fresh, { message: "hand hygiene" })).rejects.toMatchObject({ status: 403 });
    } finally {
      const nurses = nurse.groups.find((g) => g.name === "Nurses")!;
      nurseGrant = (await upsertGrant(h.db, { collectionId: wardId, groupId: nurses.id, access: "read" })).id;
    }
  });
});

describe("the record of every question", () => {
  it("records who asked what, the collections searched, what was retrieved, the prompt hash, the model and the answer", async () => {
    const generator = createExtractiveGenerator({ parallel: 1, maxQueue: 1 });
    const { final } = await run({ db: h.db, store, embedder, generator }, nurse, {
      message: "How long should the alcohol-based hand rub take?",
    });
    const event = (await latestEvent("question.answered")) as Record<string, unknown> & {
      retrieved: { chunkId: string; versionSha256: string; score: number }[];
    };
    expect(event).toMatchObject({
      conversationId: final!.conversationId,
      messageId: final!.messageId,
      question: "How long should the alcohol-based hand rub take?",
      allowedCollections: [{ id: wardId, name: "Ward" }],
      answer: final!.answer,
      finishReason: "stop",
      model: { kind: "extractive", embedderId: embedder.id },
      citations: final!.citations,
    });
    expect(event.promptSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(event.retrieved.map((r) => r.chunkId)).toEqual(final!.retrievedChunkIds);
    expect(event.retrieved[0]!.versionSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it("records refused questions with the reason", async () => {
    const generator = createExtractiveGenerator({ parallel: 1, maxQueue: 0 });
    await expect(
      prepareAnswer({ db: h.db, store, embedder, generator }, outsider, { message: "What is the ward budget?" }),
    ).rejects.toMatchObject({ status: 403 });
    expect(await latestEvent("question.refused")).toMatchObject({
      question: "What is the ward budget?",
      reason: "forbidden",
      status: 403,
    });
  });

  it("gives no answer that cannot be recorded: the stored answer and the event fail together", async () => {
    const generator = createExtractiveGenerator({ parallel: 1, maxQueue: 1 });
    await h.db.execute(
      sql`create function refuse_question_audit() returns trigger language plpgsql as $$ begin if new.type = 'question.answered' and new.payload->>'finishReason' <> 'error' then raise exception 'audit storage unavailable'; end if; return new; end $$`,
    );
    await h.db.execute(
      sql`create trigger refuse_question_audit before insert on audit_events for each row execute function refuse_question_audit()`,
    );
    try {
      const { events, final } = await run({ db: h.db, store, embedder, generator }, nurse, {
        message: "When must staff perform hand hygiene?",
      });
      expect(final).toBeNull();
      expect(events.at(-1)).toMatchObject({ event: "error", data: { code: "internal" } });
      expect(events.some((e) => e.event === "final")).toBe(false);
      const meta = events[0]!.data as { messageId: string };
      const [row] = await queryRows<{ status: string; content: string }>(
        h.db,
        sql`select status, content from messages where id = ${meta.messageId}`,
      );
      expect(row).toEqual({ status: "failed", content: "" });
    } finally {
      await h.db.execute(sql`drop trigger refuse_question_audit on audit_events`);
      await h.db.execute(sql`drop function refuse_question_audit`);
    }
  });
});
