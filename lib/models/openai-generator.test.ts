import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { options, request, SAMPLING, TOKEN, until } from "@/lib/testing/openai-client";
import { isQueueFullError } from "./generator";
import { startModelServer, type RunningModelServer } from "./model-server";
import { connectOpenAiGenerator, type OpenAiGenerator } from "./openai-generator";

// The openai generator against our own model-server (real node-llama-cpp with the stories260K
// fixture, which writes children's stories: the tests check mechanics, never answer quality).
// openai-generator-protocol.test.ts runs it against a server shaped like vLLM.

const MODELS = path.resolve(__dirname, "../../../shared/models");
const STORIES = path.join(MODELS, "stories260K.gguf");
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
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
