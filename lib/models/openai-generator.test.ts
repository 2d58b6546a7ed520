import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { startProtocolServer, PROTOCOL_SERVER_MODEL, type ProtocolServer } from "@/lib/testing/openai-protocol-server";
import { isQueueFullError, type GenerationRequest, type SamplingSettings } from "./generator";
import { startModelServer, type RunningModelServer } from "./model-server";
import { connectOpenAiGenerator, type OpenAiGenerator } from "./openai-generator";

// The openai generator against our own model-server (real node-llama-cpp with the stories260K
// fixture, which writes children's stories: the tests check mechanics, never answer quality), and
// against a second implementation shaped like vLLM that plays back failures a real server produces.

const MODELS = path.resolve(__dirname, "../../../shared/models");
const STORIES = path.join(MODELS, "stories260K.gguf");
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
const TOKEN = "test-token-0123456789abcdef";
const SAMPLING: SamplingSettings = { temperature: 0, topP: 0.9, topK: 40, maxTokens: 48, seed: 7 };

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    system: "You tell short stories for children.",
    history: [
      { role: "user", content: "Hello." },
      { role: "assistant", content: "Once upon a time." },
    ],
    question: "Tell me a story about a little cat.",
    passages: [],
    ...overrides,
  };
}

function options(baseUrl: string, overrides: Partial<Parameters<typeof connectOpenAiGenerator>[0]> = {}) {
  return {
    baseUrl,
    apiKey: TOKEN,
    parallel: 2,
    maxQueue: 1,
    contextSize: 8192,
    sampling: SAMPLING,
    timeoutMs: 10_000,
    ...overrides,
  };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

/** The model server's own counters, read from its Prometheus endpoint. */
async function serverMetrics(): Promise<{ aborted: number; tokens: number }> {
  const text = await (
    await fetch(server.url.replace(/\/v1$/, "/metrics"), { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    aborted: value(/^kq_model_server_requests_total\{outcome="aborted"\} (\d+)/m),
    tokens: value(/^kq_model_server_generated_tokens_total (\d+)/m),
  };
}

let server: RunningModelServer;
let generator: OpenAiGenerator;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "openai-generator-"));
  server = await startModelServer({
    modelPath: STORIES,
    host: "127.0.0.1",
    port: 0,
    parallel: 2,
    maxQueue: 0,
    token: TOKEN,
    contextSize: 8192,
    threads: 1,
    gpu: "off",
    sampling: { ...SAMPLING, maxTokens: 1500 },
  });
  generator = await connectOpenAiGenerator(options(server.url));
});

afterAll(async () => {
  await generator?.close();
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("openai generator against cli model-server", () => {
  it("records the server, the model id and the weights' sha256 the server reports", () => {
    expect(generator.kind).toBe("openai");
    expect(generator.identity()).toEqual({
      kind: "openai",
      modelFile: "stories260K.gguf",
      modelBytes: 1_185_376,
      modelSha256: STORIES_SHA256,
      sha256Source: "server",
      architecture: "llama",
      quantization: "F32",
      // The server serves 2048 tokens per sequence (the model's trained context), below the 8192 cap.
      contextSize: 2048,
      gpu: null,
      threads: null,
      sampling: SAMPLING,
      server: server.url,
      modelId: "stories260K.gguf",
    });
    expect(generator.promptBudget()).toBe(2048 - 48 - 64);
  });

  it("streams tokens as the server produces them; the pieces make up the answer", async () => {
    const pieces: string[] = [];
    const result = await generator.reserve().run(request({ onToken: (t) => pieces.push(t) }));
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join("")).toBe(result.text);
    expect(result.text.length).toBeGreaterThan(10);
    expect(["stop", "length"]).toContain(result.finishReason);
    // The server's usage count: stories260K produces several tokens per streamed piece at most.
    expect(result.tokens).toBeGreaterThanOrEqual(pieces.length);
    expect(result.tokens).toBeLessThanOrEqual(48);
    expect(result.timings.firstTokenMs).not.toBeNull();
  });

  it("stops within a token when the asker stops, and the server stops generating too", async () => {
    const stop = new AbortController();
    const pieces: string[] = [];
    const pending = generator.reserve().run(
      request({
        onToken: (t) => {
          pieces.push(t);
          if (pieces.length === 3) stop.abort();
        },
        signal: stop.signal,
      }),
    );
    const result = await pending;
    expect(result.finishReason).toBe("abort");
    expect(pieces.length).toBeLessThanOrEqual(4);
    expect(result.text).toBe(pieces.join(""));
    expect(await until(() => server.generator.status().active === 0, 2000)).toBe(true);
  });

  it("aborting a long answer on the server frees its sequence at once (upstream request aborted)", async () => {
    const wide = await connectOpenAiGenerator(options(server.url, { sampling: { ...SAMPLING, maxTokens: 1400 } }));
    try {
      const stop = new AbortController();
      let seen = 0;
      const before = await serverMetrics();
      const result = await wide.reserve().run(
        request({
          signal: stop.signal,
          onToken: () => {
            if (++seen === 2) stop.abort();
          },
        }),
      );
      expect(result.finishReason).toBe("abort");
      expect(await until(() => server.generator.status().active === 0, 1000)).toBe(true);
      const after = await serverMetrics();
      expect(after.aborted - before.aborted).toBe(1);
      // The server stopped within a few tokens of the stop, far short of the 1400 asked for.
      expect(after.tokens - before.tokens).toBeLessThan(50);
    } finally {
      await wide.close();
    }
  });

  it("refuses beyond its own bounded queue at once, with when to retry", async () => {
    const small = await connectOpenAiGenerator(options(server.url, { parallel: 1, maxQueue: 0 }));
    try {
      const held = small.reserve();
      let refused: unknown;
      try {
        small.reserve();
      } catch (err) {
        refused = err;
      }
      expect(isQueueFullError(refused)).toBe(true);
      expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      held.release();
      expect(() => small.reserve().release()).not.toThrow();
    } finally {
      await small.close();
    }
  });

  it("turns the server's 429 (its own queue full) into a busy answer with Retry-After", async () => {
    const busy = await startModelServer({
      modelPath: STORIES,
      host: "127.0.0.1",
      port: 0,
      parallel: 1,
      maxQueue: 0,
      token: null,
      contextSize: 2048,
      threads: 1,
      gpu: "off",
      sampling: { ...SAMPLING, maxTokens: 1400 },
    });
    const wide = await connectOpenAiGenerator(
      options(busy.url, { apiKey: null, parallel: 2, sampling: { ...SAMPLING, maxTokens: 1400 } }),
    );
    try {
      const stop = new AbortController();
      let first!: () => void;
      const streaming = new Promise<void>((r) => (first = r));
      const long = wide.reserve().run(request({ signal: stop.signal, onToken: () => first() }));
      await streaming;
      const second = await wide
        .reserve()
        .run(request())
        .then(
          () => null,
          (err: unknown) => err,
        );
      stop.abort();
      await long;
      expect(second).toBeInstanceOf(AppError);
      const e = second as AppError;
      expect(e.code).toBe("rate_limited");
      expect(e.status).toBe(429);
      expect(e.message).toMatch(/model server is busy/i);
      expect(Number(e.headers?.["retry-after"])).toBeGreaterThanOrEqual(1);
    } finally {
      await wide.close();
      await busy.close();
    }
  });

  it("refuses a wrong token and weights other than the declared ones, naming what to fix", async () => {
    const wrongToken = await connectOpenAiGenerator(options(server.url, { apiKey: "not-the-token-at-all" })).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(wrongToken?.message).toMatch(/refused this server's credentials \(HTTP 401\).*MODEL_SERVER_API_KEY_FILE/);

    const otherWeights = await connectOpenAiGenerator(options(server.url, { declaredSha256: "ab".repeat(32) })).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(otherWeights?.message).toMatch(/MODEL_SERVER_SHA256 declares abab.*reports 270cba1b.*other weights/);

    const unknown = await connectOpenAiGenerator(options(server.url, { model: "llama-3-70b" })).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(unknown?.message).toBe(
      `MODEL_SERVER_MODEL=llama-3-70b is not served by ${server.url}; it serves: stories260K.gguf.`,
    );
  });
});

describe("openai generator against a vLLM-shaped server", () => {
  let upstream: ProtocolServer;
  let vllm: OpenAiGenerator;
  const declared = "cd".repeat(32);

  beforeAll(async () => {
    upstream = await startProtocolServer({ token: TOKEN, maxModelLen: 4096 });
    vllm = await connectOpenAiGenerator(options(upstream.url, { declaredSha256: declared, timeoutMs: 500 }));
  });
  afterAll(async () => {
    await vllm?.close();
    await upstream?.close();
  });

  it("uses the declared sha256 when the server reports none, and the server's context length", () => {
    expect(vllm.identity()).toMatchObject({
      kind: "openai",
      modelId: PROTOCOL_SERVER_MODEL,
      modelFile: PROTOCOL_SERVER_MODEL,
      modelSha256: declared,
      sha256Source: "declared",
      contextSize: 4096,
      server: upstream.url,
    });
  });

  it("sends the prompt as OpenAI messages with the token and the sampling settings, and reads the stream", async () => {
    upstream.script({ kind: "answer", pieces: ["The ", "answer ", "[1]."] });
    const pieces: string[] = [];
    const result = await vllm.reserve().run(request({ onToken: (t) => pieces.push(t) }));
    expect(result).toMatchObject({ text: "The answer [1].", finishReason: "stop", tokens: 3 });
    expect(pieces).toEqual(["The ", "answer ", "[1]."]);
    const sent = upstream.requests.at(-1)!;
    expect(sent.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.body).toEqual({
      model: PROTOCOL_SERVER_MODEL,
      messages: [
        { role: "system", content: "You tell short stories for children." },
        { role: "user", content: "Hello." },
        { role: "assistant", content: "Once upon a time." },
        { role: "user", content: "Tell me a story about a little cat." },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 48,
      temperature: 0,
      top_p: 0.9,
      top_k: 40,
      seed: 7,
    });
  });

  it("reports an answer cut at max_tokens as length", async () => {
    upstream.script({ kind: "answer", pieces: ["a", "b"], finishReason: "length" });
    expect((await vllm.reserve().run(request())).finishReason).toBe("length");
  });

  it("turns 429 and 503 into answers that say the server is busy or unavailable", async () => {
    upstream.script(
      {
        kind: "status",
        status: 429,
        headers: { "retry-after": "7" },
        body: { error: { message: "Too many requests", type: "rate_limit", code: 429 } },
      },
      { kind: "status", status: 503, body: { error: { message: "model is loading", type: "unavailable", code: 503 } } },
    );
    const busy = (await vllm
      .reserve()
      .run(request())
      .catch((err: unknown) => err)) as AppError;
    expect(busy.code).toBe("rate_limited");
    expect(busy.message).toBe(
      "The model server is busy with other answers. Try again in 7 s. It said: Too many requests",
    );
    expect(busy.headers).toEqual({ "retry-after": "7" });

    const down = (await vllm
      .reserve()
      .run(request())
      .catch((err: unknown) => err)) as AppError;
    expect(down.code).toBe("unavailable");
    expect(down.expose).toBe(true);
    expect(down.toJSON().error.message).toBe(
      `The model server at ${upstream.url} is unavailable (HTTP 503). Try again later. It said: model is loading`,
    );
    // The queue place is given back after a failure: the generator is not left full.
    expect(vllm.status().active + vllm.status().queued).toBe(0);
  });

  it("times out a server that stops sending, and hangs up on it", async () => {
    upstream.script({ kind: "stall-after", pieces: ["Half"] });
    const pieces: string[] = [];
    const started = performance.now();
    const err = (await vllm
      .reserve()
      .run(request({ onToken: (t) => pieces.push(t) }))
      .catch((e: unknown) => e)) as AppError;
    expect(pieces).toEqual(["Half"]);
    expect(err.code).toBe("unavailable");
    expect(err.message).toBe(`The model server at ${upstream.url} sent nothing for 0.5 s; the answer was stopped.`);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await until(() => upstream.requests.at(-1)!.clientClosedEarly, 1000)).toBe(true);

    upstream.script({ kind: "stall-before-headers" });
    const silent = (await vllm
      .reserve()
      .run(request())
      .catch((e: unknown) => e)) as AppError;
    expect(silent.message).toMatch(/sent nothing for 0.5 s/);
  });

  it("reports an error the server sends mid-stream", async () => {
    upstream.script({ kind: "error-event", pieces: ["Partial"], message: "CUDA out of memory" });
    const err = (await vllm
      .reserve()
      .run(request())
      .catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe("unavailable");
    expect(err.message).toBe(`The model server at ${upstream.url} stopped with an error: CUDA out of memory`);
  });

  it("stops within a piece on the asker's stop and closes the upstream connection", async () => {
    upstream.script({ kind: "answer", pieces: Array.from({ length: 200 }, (_, i) => `w${i} `), delayMs: 5 });
    const stop = new AbortController();
    const pieces: string[] = [];
    const result = await vllm.reserve().run(
      request({
        signal: stop.signal,
        onToken: (t) => {
          pieces.push(t);
          if (pieces.length === 5) stop.abort();
        },
      }),
    );
    expect(result.finishReason).toBe("abort");
    expect(pieces.length).toBe(5);
    expect(await until(() => upstream.requests.at(-1)!.clientClosedEarly, 1000)).toBe(true);
  });

  it("names the server when it cannot be reached at all", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = (await connectOpenAiGenerator(options(`http://127.0.0.1:${port}/v1`)).catch(
      (e: unknown) => e,
    )) as AppError;
    expect(err.message).toBe(`The model server at http://127.0.0.1:${port}/v1 cannot be reached (ECONNREFUSED).`);
  });
});
