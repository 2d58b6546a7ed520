import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { call, recordSeen } from "./support/api";
import { createCollection, createGroup, createUser, uploadText, waitForJob } from "./support/chat";
import { createApiKey } from "./support/cli";
import { e2e, uniqueEmail } from "./support/env";

// The OpenAI-compatible API driven by the official `openai` client, as an internal tool would use
// it: the key identifies the user, model names choose collections, answers are cited and limited
// to what the key's owner may read, streaming included.

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
const SECRET = "Treasury vault code 7731-ALPHA";
let client: OpenAI;
let outsiderClient: OpenAI;
let baseURL: string;
let protocolsName: string;
let protocolsId: string;
let secretDocId: string;
let protocolDocId: string;

test.beforeAll(async ({ request }, info) => {
  baseURL = `${info.project.use.baseURL}/v1`;
  const adminKey = createApiKey(e2e.adminEmail);
  const analyst = uniqueEmail("openai-analyst");
  const outsider = uniqueEmail("openai-outsider");
  await createUser(request, adminKey, analyst, "openai password 1");
  await createUser(request, adminKey, outsider, "openai password 1");
  const group = `Analysts ${stamp}`;
  await createGroup(request, adminKey, group, [analyst]);
  protocolsName = `Discharge protocols ${stamp}`;
  protocolsId = await createCollection(request, adminKey, protocolsName);
  const treasury = await createCollection(request, adminKey, `Treasury ${stamp}`);
  await call(request, "POST", `/api/collections/${protocolsId}/grants`, {
    key: adminKey,
    data: { group, access: "read" },
  });
  const doc = await uploadText(
    request,
    adminKey,
    protocolsId,
    "discharge.md",
    "# Discharge checklist\n\nBefore discharge the nurse reviews the medication list with the patient and books a follow-up appointment within fourteen days.\n",
  );
  const secret = await uploadText(
    request,
    adminKey,
    treasury,
    "vault.md",
    `# Vault\n\nThe ${SECRET} opens the night safe.\n`,
  );
  protocolDocId = doc.documentId;
  secretDocId = secret.documentId;
  await waitForJob(request, adminKey, doc.jobId);
  await waitForJob(request, adminKey, secret.jobId);
  client = new OpenAI({ baseURL, apiKey: createApiKey(analyst), maxRetries: 0 });
  outsiderClient = new OpenAI({ baseURL, apiKey: createApiKey(outsider), maxRetries: 0 });
});

test("lists the models the key's owner may use: all their collections, and each one", async () => {
  const models = await client.models.list();
  const ids = models.data.map((m) => m.id);
  expect(ids).toContain("knowledge");
  expect(ids).toContain(`knowledge/${protocolsName}`);
  expect(ids.some((id) => id.includes("Treasury"))).toBe(false);
  recordSeen({ url: "GET /v1/models", status: 200, body: JSON.stringify(models.data) });
});

test("answers a completion with a cited answer, citations in an extra field and a reference list in the content", async () => {
  const r = await client.chat.completions.create({
    model: "knowledge",
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "When is the follow-up appointment booked before discharge?" },
    ],
  });
  const content = r.choices[0]!.message.content!;
  expect(content).toContain("fourteen days");
  expect(content).toMatch(/\[1\]/);
  expect(content).toMatch(/Sources:\n\[1\] Discharge checklist, version 1/);
  expect(r.choices[0]!.finish_reason).toBe("stop");
  expect(r.usage!.completion_tokens).toBeGreaterThan(0);
  const extra = r as unknown as {
    citations: { documentId: string }[];
    model_identity: { kind: string };
    conversation_id: string;
  };
  expect(extra.citations[0]!.documentId).toBe(protocolDocId);
  expect(extra.model_identity.kind).toBe("extractive");
  expect(extra.conversation_id).toMatch(/^[0-9a-f-]{36}$/);
});

test("streams chunks with the official client, ending with citations", async () => {
  const stream = await client.chat.completions.create({
    model: `knowledge/${protocolsName}`,
    messages: [{ role: "user", content: "What does the nurse review with the patient before discharge?" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let chunks = 0;
  let finish: string | null = null;
  let citations: { documentId: string }[] = [];
  let usage: unknown = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    text += choice.delta.content ?? "";
    if (choice.finish_reason) {
      finish = choice.finish_reason;
      citations = (chunk as unknown as { citations: { documentId: string }[] }).citations;
    }
  }
  expect(chunks).toBeGreaterThan(3);
  expect(text).toContain("medication list");
  expect(text).toMatch(/Sources:\n\[1\] Discharge checklist/);
  expect(finish).toBe("stop");
  expect(citations.map((c) => c.documentId)).toContain(protocolDocId);
  expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
});

test("never answers from a collection the key's owner cannot read, whatever the model or collections asked for", async () => {
  const r = await client.chat.completions.create({
    model: "knowledge",
    messages: [{ role: "user", content: `What opens the night safe? ${SECRET}` }],
  });
  expect(r.choices[0]!.message.content).not.toContain("opens the night safe");
  expect(JSON.stringify((r as unknown as { citations: unknown }).citations)).not.toContain(secretDocId);

  const unknownModel = client.chat.completions.create({
    model: `knowledge/Treasury ${stamp}`,
    messages: [{ role: "user", content: "night safe" }],
  });
  await expect(unknownModel).rejects.toMatchObject({ status: 404, code: "model_not_found", type: "not_found_error" });
  const byField = client.chat.completions.create({
    model: "knowledge",
    messages: [{ role: "user", content: "night safe" }],
    // @ts-expect-error an extra field of this API
    collections: [`Treasury ${stamp}`],
  });
  await expect(byField).rejects.toMatchObject({ status: 404, type: "not_found_error" });
  await expect(
    outsiderClient.chat.completions.create({ model: "knowledge", messages: [{ role: "user", content: "discharge" }] }),
  ).rejects.toMatchObject({
    status: 403,
    type: "permission_error",
  });
});

test("errors come back the way OpenAI clients expect", async ({ request }) => {
  await expect(new OpenAI({ baseURL, apiKey: "kq_not_a_real_key", maxRetries: 0 }).models.list()).rejects.toMatchObject(
    {
      status: 401,
      type: "authentication_error",
    },
  );
  await expect(
    client.chat.completions.create({ model: "knowledge", messages: [{ role: "assistant", content: "hello" }] }),
  ).rejects.toMatchObject({
    status: 400,
    type: "invalid_request_error",
    message: expect.stringMatching(/last message must come from the user/),
  });
  const res = await request.post(`${baseURL}/embeddings`, { headers: { authorization: "Bearer x" }, data: {} });
  const body = await res.json();
  expect(res.status()).toBe(404);
  expect(body.error).toMatchObject({ type: "not_found_error" });
});
