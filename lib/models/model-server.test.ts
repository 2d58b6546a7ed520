import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelServer, type RunningModelServer } from "./model-server";

// `cli model-server` spoken to by OpenAI's own client library, the yardstick for "OpenAI-compatible":
// if it parses our models list, chunks, usage and errors, so will other clients. stories260K writes
// children's stories; these tests check the protocol, never the answer's quality.

const STORIES = path.resolve(__dirname, "../../../shared/models/stories260K.gguf");
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
const TOKEN = "model-server-test-token-4f1c";

let server: RunningModelServer;
let client: OpenAI;

const messages = [
  { role: "system" as const, content: "You tell short stories for children." },
  { role: "user" as const, content: "Tell me a story about a little cat." },
];

async function metric(name: string): Promise<number> {
  const res = await fetch(server.url.replace(/\/v1$/, "/metrics"), { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : NaN;
}

beforeAll(async () => {
  server = await startModelServer({
    modelPath: STORIES,
    host: "127.0.0.1",
    port: 0,
    parallel: 1,
    maxQueue: 0,
    token: TOKEN,
    contextSize: 2048,
    threads: 1,
    gpu: "off",
    sampling: { temperature: 0, topP: 0.9, topK: 40, maxTokens: 1000, seed: 3 },
  });
  // maxRetries 0: the SDK would otherwise retry a 429 by itself and hide it from the test.
  client = new OpenAI({ baseURL: server.url, apiKey: TOKEN, maxRetries: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe("model-server", () => {
  it("lists its model with the file's sha256 and GGUF metadata", async () => {
    const page = await client.models.list();
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({
      id: "stories260K.gguf",
      object: "model",
      owned_by: "knowledge-qa",
      meta: {
        sha256: STORIES_SHA256,
        file: "stories260K.gguf",
        bytes: 1_185_376,
        architecture: "llama",
        quantization: "F32",
        n_ctx_train: 2048,
        n_ctx: 2048,
        parallel: 1,
        device: "cpu",
      },
    });
  });

  it("requires the bearer token on every route but /health", async () => {
    const base = server.url.replace(/\/v1$/, "");
    for (const route of ["/v1/models", "/metrics"]) {
      const none = await fetch(`${base}${route}`);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({
        error: {
          message: "A valid bearer token is required.",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      });
      const wrong = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${TOKEN}x` } });
      expect(wrong.status).toBe(401);
    }
    const chat = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages, stream: true }),
    });
    expect(chat.status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const refused = new OpenAI({ baseURL: server.url, apiKey: "wrong-token-0000", maxRetries: 0 });
    await expect(refused.models.list()).rejects.toMatchObject({ status: 401 });
  });

  it("streams a chat completion that OpenAI's client reads: role, content pieces, finish reason, usage", async () => {
    const before = await metric('kq_model_server_requests_total{outcome="length"}');
    const stream = await client.chat.completions.create({
      model: "stories260K.gguf",
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 24,
      temperature: 0,
      seed: 1,
    });
    const content: string[] = [];
    let role: string | undefined;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.model).toBe("stories260K.gguf");
      const choice = chunk.choices[0];
      role ??= choice?.delta.role;
      if (choice?.delta.content) content.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(role).toBe("assistant");
    expect(content.length).toBeGreaterThan(3);
    // 24 tokens asked for and stories260K never stops that early: the answer is cut at the limit.
    expect(finish).toBe("length");
    expect(usage?.completion_tokens).toBe(24);
    expect(usage?.prompt_tokens).toBeGreaterThan(5);
    expect(await metric('kq_model_server_requests_total{outcome="length"}')).toBe(before + 1);
  });

  it("answers without streaming too, the same text for the same seed at temperature 0", async () => {
    const one = await client.chat.completions.create({
      messages,
      model: "stories260K.gguf",
      max_tokens: 16,
      temperature: 0,
    });
    const two = await client.chat.completions.create({
      messages,
      model: "stories260K.gguf",
      max_tokens: 16,
      temperature: 0,
    });
    expect(one.object).toBe("chat.completion");
    expect(one.choices[0]?.message.role).toBe("assistant");
    expect(one.choices[0]?.message.content?.length).toBeGreaterThan(5);
    expect(two.choices[0]?.message.content).toBe(one.choices[0]?.message.content);
    expect(one.usage?.completion_tokens).toBe(16);
  });

  it("refuses a malformed request with an OpenAI-shaped error naming the problem", async () => {
    await expect(client.chat.completions.create({ model: "stories260K.gguf", messages: [] })).rejects.toMatchObject({
      status: 400,
      error: { code: "invalid_request", message: "messages: must hold at least one message" },
    });
    await expect(
      client.chat.completions.create({
        model: "stories260K.gguf",
        messages: [...messages, { role: "assistant", content: "Once" }],
      }),
    ).rejects.toMatchObject({ status: 400, error: { code: "invalid_messages" } });
    await expect(client.chat.completions.create({ model: "gpt-4o", messages })).rejects.toMatchObject({
      status: 404,
      error: { code: "model_not_found", message: "This server serves stories260K.gguf, not gpt-4o." },
    });
    const notJson = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
  });

  it("answers 429 with Retry-After while its one sequence is busy, and a client that hangs up frees it", async () => {
    const abortedBefore = await metric('kq_model_server_requests_total{outcome="aborted"}');
    const stop = new AbortController();
    const long = await client.chat.completions.create(
      { model: "stories260K.gguf", messages, stream: true, max_tokens: 1000 },
      { signal: stop.signal },
    );
    const iterator = long[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    expect(server.generator.status().active).toBe(1);

    const res = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ messages }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limit_exceeded");
    await expect(client.chat.completions.create({ model: "stories260K.gguf", messages })).rejects.toMatchObject({
      status: 429,
    });

    stop.abort();
    await iterator.next().catch((err: unknown) => err);
    const end = Date.now() + 2000;
    while (server.generator.status().active > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(server.generator.status().active).toBe(0);
    expect(await metric('kq_model_server_requests_total{outcome="aborted"}')).toBe(abortedBefore + 1);
    expect(await metric('kq_model_server_requests_total{outcome="rejected"}')).toBeGreaterThanOrEqual(2);

    const after = await client.chat.completions.create({ model: "stories260K.gguf", messages, max_tokens: 8 });
    expect(after.choices[0]?.finish_reason).toBe("length");
  });

  it("exports Prometheus metrics: tokens, durations, the queue and process figures", async () => {
    const text = await (
      await fetch(server.url.replace(/\/v1$/, "/metrics"), { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(await metric("kq_model_server_generated_tokens_total")).toBeGreaterThanOrEqual(24 + 16 + 16 + 8);
    expect(text).toMatch(/^kq_model_server_generation_duration_seconds_count [1-9]/m);
    expect(text).toMatch(/^kq_model_server_time_to_first_token_seconds_count [1-9]/m);
    expect(text).toMatch(/^kq_model_server_parallel 1$/m);
    expect(text).toMatch(/^kq_model_server_active 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });
});
