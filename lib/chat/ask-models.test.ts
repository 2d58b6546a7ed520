import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { listAuditEvents } from "@/db/queries/audit";
import { insertCollection, upsertGrant } from "@/db/queries/collections";
import { listMessages } from "@/db/queries/conversations";
import { addGroupMember, createGroup } from "@/db/queries/groups";
import { createUser } from "@/db/queries/users";
import { ingestVersion } from "@/ingest/pipeline";
import { createTestParser } from "@/ingest/testing/parser";
import { eventView, readablePayload } from "@/lib/audit/rows";
import { actorFromUserId, type Actor } from "@/lib/auth/actor";
import { acceptUpload } from "@/lib/documents/upload";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { loadLlamaGenerator } from "@/lib/models/llama-generator";
import { startModelServer, type RunningModelServer } from "@/lib/models/model-server";
import { connectOpenAiGenerator, type OpenAiGenerator } from "@/lib/models/openai-generator";
import { SYSTEM_ACTOR } from "@/lib/testing/actors";
import { createTestDatabase } from "@/lib/testing/db";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { prepareAnswer, type AskDeps } from "./ask";
import type { ChatEvent } from "./types";

// The question path with a language model: node-llama-cpp in process and the same GGUF behind
// `cli model-server` (stories260K writes children's stories: these check streaming, stopping,
// the queue and the model identity recorded, never answer quality). ask.test.ts covers access.

const parser = createTestParser();
const STORIES = path.resolve(process.cwd(), "../shared/models/stories260K.gguf");

let h: DatabaseHandle;
let dataDir: string;
let embedder: Embedder;
let store: ChunkStore;
let nurse: Actor;

async function latestEvent(type: string) {
  const [row] = await listAuditEvents(h.db, { query: { types: [type] }, limit: 1 });
  return row ? readablePayload(eventView(row)) : null;
}

async function run(deps: AskDeps, actor: Actor, input: Parameters<typeof prepareAnswer>[2]) {
  const events: ChatEvent[] = [];
  const prepared = await prepareAnswer(deps, actor, input);
  const final = await prepared.run((e) => events.push(e), new AbortController().signal);
  return { events, final };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kq-ask-models-"));
  h = await createTestDatabase();
  embedder = await createEmbedder({});
  store = await openChunkStore({ uri: path.join(dataDir, "lance"), embedderId: embedder.id, dim: embedder.dim });
  const nurseId = (
    await createUser(h.db, { email: "nurse@ask-models.test", name: "N", roles: ["employee"], passwordHash: null })
  ).id;
  const nurses = await createGroup(h.db, { name: "Nurses" });
  await addGroupMember(h.db, { groupId: nurses.id, userId: nurseId });
  const wardId = (await insertCollection(h.db, { name: "Ward", description: "", createdBy: null })).id;
  await upsertGrant(h.db, { collectionId: wardId, groupId: nurses.id, access: "read" });
  const upload = await acceptUpload(
    { actor: SYSTEM_ACTOR, db: h.db },
    { dataDir, maxUploadBytes: 10e6 },
    {
      collectionId: wardId,
      fileName: "hand-hygiene.md",
      bytes: new TextEncoder().encode(
        "# Hand hygiene\n\nStaff must perform hand hygiene before touching a patient and after touching patient surroundings.\n\nUse an alcohol-based hand rub for 20 to 30 seconds when hands are not visibly soiled.\n",
      ),
    },
  );
  if (upload.status !== "queued") throw new Error(`upload: ${upload.status}`);
  await ingestVersion({ db: h.db, store, embedder, dataDir, maxDecompressedBytes: 50e6, parser }, upload.versionId, {
    progress: async () => undefined,
  });
  nurse = (await actorFromUserId(h.db, nurseId))!;
}, 180_000);

afterAll(async () => {
  await parser.close();
  await store?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("asking with node-llama-cpp (stories260K fixture)", () => {
  let llama: Awaited<ReturnType<typeof loadLlamaGenerator>>;
  beforeAll(async () => {
    llama = await loadLlamaGenerator({
      modelPath: STORIES,
      parallel: 1,
      maxQueue: 1,
      contextSize: 2048,
      threads: 1,
      sampling: { temperature: 0.8, topP: 0.9, topK: 40, maxTokens: 400, seed: 7 },
    });
  }, 60_000);
  afterAll(async () => {
    await llama?.close();
  });

  it("streams tokens and records the model's identity and sha256 with the answer", async () => {
    const { events, final } = await run({ db: h.db, store, embedder, generator: llama }, nurse, {
      message: "When must staff perform hand hygiene?",
    });
    expect(events.filter((e) => e.event === "token").length).toBeGreaterThan(5);
    expect(final!.model).toMatchObject({
      kind: "llama",
      modelFile: "stories260K.gguf",
      modelBytes: 1185376,
      modelSha256: "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
      architecture: "llama",
      embedderId: embedder.id,
    });
    const stored = await listMessages(h.db, { conversationId: final!.conversationId, userId: nurse.id });
    expect(stored[1]!.model).toMatchObject({
      modelSha256: "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
    });
  });

  it("stops generating when the client goes away and keeps what was written as a stopped answer", async () => {
    const abort = new AbortController();
    const events: ChatEvent[] = [];
    const prepared = await prepareAnswer({ db: h.db, store, embedder, generator: llama }, nurse, {
      message: "When must staff perform hand hygiene?",
    });
    let tokens = 0;
    const final = await prepared.run((e) => {
      events.push(e);
      if (e.event === "token" && ++tokens === 3) abort.abort();
    }, abort.signal);
    expect(final!.status).toBe("stopped");
    expect(final!.finishReason).toBe("abort");
    expect(tokens).toBeLessThan(10);
    const stored = await listMessages(h.db, { conversationId: final!.conversationId, userId: nurse.id });
    expect(stored[1]!.status).toBe("stopped");
    expect(llama.status()).toMatchObject({ active: 0, queued: 0 });
  });
});

describe("asking through a model server (cli model-server with stories260K)", () => {
  let server: RunningModelServer;
  let generator: OpenAiGenerator;
  beforeAll(async () => {
    server = await startModelServer({
      modelPath: STORIES,
      host: "127.0.0.1",
      port: 0,
      parallel: 1,
      maxQueue: 0,
      token: "ask-model-server-token-0123",
      contextSize: 2048,
      threads: 1,
      gpu: "off",
      sampling: { temperature: 0.8, topP: 0.9, topK: 40, maxTokens: 400, seed: 7 },
    });
    generator = await connectOpenAiGenerator({
      baseUrl: server.url,
      apiKey: "ask-model-server-token-0123",
      parallel: 2,
      maxQueue: 1,
      contextSize: 2048,
      sampling: { temperature: 0.8, topP: 0.9, topK: 40, maxTokens: 400, seed: 7 },
      timeoutMs: 10_000,
    });
  }, 60_000);
  afterAll(async () => {
    await generator?.close();
    await server?.close();
  });

  it("streams the answer and records the server, the model id and the weights' sha256 with it", async () => {
    const { events, final } = await run({ db: h.db, store, embedder, generator }, nurse, {
      message: "When must staff perform hand hygiene?",
    });
    expect(events.filter((e) => e.event === "token").length).toBeGreaterThan(5);
    const identity = {
      kind: "openai",
      server: server.url,
      modelId: "stories260K.gguf",
      modelSha256: "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
      sha256Source: "server",
      embedderId: embedder.id,
    };
    expect(final!.model).toMatchObject(identity);
    const stored = await listMessages(h.db, { conversationId: final!.conversationId, userId: nurse.id });
    expect(stored[1]!.model).toMatchObject(identity);
    expect(await latestEvent("question.answered")).toMatchObject({ messageId: final!.messageId, model: identity });
  });

  it("tells the asker the model server is busy when its own queue is full, and records the failure", async () => {
    const stop = new AbortController();
    let started!: () => void;
    const streaming = new Promise<void>((r) => (started = r));
    const first = await prepareAnswer({ db: h.db, store, embedder, generator }, nurse, {
      message: "When must staff perform hand hygiene?",
    });
    const running = first.run((e) => {
      if (e.event === "token") started();
    }, stop.signal);
    await streaming;
    const { events, final } = await run({ db: h.db, store, embedder, generator }, nurse, {
      message: "How long should the alcohol-based hand rub take?",
    });
    stop.abort();
    await running;
    expect(final).toBeNull();
    const error = events.find((e) => e.event === "error")!.data as { code: string; message: string };
    expect(error.code).toBe("rate_limited");
    expect(error.message).toMatch(/^The model server is busy with other answers\. Try again in \d+ s\./);
    const meta = events[0]!.data as { messageId: string };
    const [row] = await queryRows<{ status: string }>(
      h.db,
      sql`select status from messages where id = ${meta.messageId}`,
    );
    expect(row!.status).toBe("failed");
  });
});
