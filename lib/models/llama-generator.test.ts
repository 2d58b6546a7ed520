import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueueFullError, type GenerationRequest, type SamplingSettings } from "./generator";
import { loadLlamaGenerator, PromptTooLongError, type LlamaGenerator } from "./llama-generator";
import { getLlamaRuntime } from "./llama-runtime";

// stories260K writes children's stories and cannot follow instructions: these tests check the
// mechanics of the real node-llama-cpp path (streaming, stopping, limits, the queue, identity).
const MODELS = path.resolve(__dirname, "../../../shared/models");
const STORIES = path.join(MODELS, "stories260K.gguf");
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

// Greedy decoding: the same input always gives the same text.
const SAMPLING: SamplingSettings = { temperature: 0, topP: 0.9, topK: 40, maxTokens: 48, seed: 7 };

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    system: "You tell short stories for children.",
    history: [],
    question: "Tell me a story about a little cat.",
    passages: [],
    ...overrides,
  };
}

let generator: LlamaGenerator;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "llama-generator-"));
  generator = await loadLlamaGenerator({
    modelPath: STORIES,
    parallel: 2,
    maxQueue: 1,
    contextSize: 8192,
    threads: 1,
    sampling: SAMPLING,
  });
});

afterAll(async () => {
  await generator?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("llama generator", () => {
  it("records the model's identity: file, size, sha256, GGUF metadata, context, threads, device, sampling", async () => {
    expect(generator.kind).toBe("llama");
    // null on a CPU-only machine (like the CI one); "cuda", "vulkan" or "metal" where layers are offloaded.
    const gpu = (await getLlamaRuntime()).gpu || null;
    const id = generator.identity();
    expect(id).toEqual({
      kind: "llama",
      modelFile: "stories260K.gguf",
      modelBytes: 1_185_376,
      modelSha256: STORIES_SHA256,
      architecture: "llama",
      // The file has no general.file_type; its weights are all F32.
      quantization: "F32",
      contextSize: 2048,
      gpu,
      threads: 1,
      sampling: SAMPLING,
    });
  });

  it("streams tokens as they are produced; the pieces make up the answer", async () => {
    const pieces: string[] = [];
    let settled = false;
    let piecesBeforeSettled = 0;
    const pending = generator.reserve().run(
      request({
        onToken: (t) => {
          pieces.push(t);
          if (!settled) piecesBeforeSettled++;
        },
      }),
    );
    const result = await pending.finally(() => (settled = true));
    expect(piecesBeforeSettled).toBeGreaterThan(5);
    expect(pieces.join("")).toBe(result.text);
    expect(result.text.trim().length).toBeGreaterThan(10);
    expect(result.tokens).toBeGreaterThan(5);
    expect(result.timings.firstTokenMs).not.toBeNull();
    expect(result.timings.firstTokenMs!).toBeLessThanOrEqual(result.timings.totalMs);
    expect(generator.status()).toMatchObject({ kind: "llama", active: 0, queued: 0, parallel: 2, maxQueue: 1 });
  });

  it("stops within a token when aborted and returns what was produced", async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    let abortedAt = 0;
    const started = performance.now();
    const result = await generator.reserve().run(
      request({
        signal: controller.signal,
        onToken: (t) => {
          pieces.push(t);
          if (pieces.length === 3) {
            abortedAt = pieces.length;
            controller.abort();
          }
        },
      }),
    );
    expect(result.finishReason).toBe("abort");
    expect(pieces.length - abortedAt).toBeLessThanOrEqual(1);
    expect(result.text).toBe(pieces.join(""));
    expect(result.tokens).toBeLessThan(SAMPLING.maxTokens);
    // Not a timing assertion on the model: the answer ended long before its 48-token limit would.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(generator.status()).toMatchObject({ active: 0, queued: 0 });
  });

  it("stops when aborted before the first token, without an error", async () => {
    const result = await generator.reserve().run(request({ signal: AbortSignal.abort() }));
    expect(result).toMatchObject({ text: "", finishReason: "abort", tokens: 0 });
  });

  it("stays on the CPU with gpu 'off'", async () => {
    const cpu = await loadLlamaGenerator({
      modelPath: STORIES,
      parallel: 1,
      maxQueue: 0,
      contextSize: 1024,
      threads: 1,
      gpu: "off",
      sampling: SAMPLING,
    });
    try {
      expect(cpu.identity().gpu).toBeNull();
      expect((await cpu.reserve().run(request())).text.length).toBeGreaterThan(0);
    } finally {
      await cpu.close();
    }
  });

  it("answers 'length' when the answer reaches maxTokens", async () => {
    const short = await loadLlamaGenerator({
      modelPath: STORIES,
      parallel: 1,
      maxQueue: 0,
      contextSize: 8192,
      threads: 1,
      sampling: { ...SAMPLING, maxTokens: 6 },
    });
    try {
      const result = await short.reserve().run(request());
      expect(result.finishReason).toBe("length");
      expect(result.tokens).toBe(6);
    } finally {
      await short.close();
    }
  });

  it("with one sequence and one waiting place, a third reservation gets 429 until one finishes", async () => {
    const single = await loadLlamaGenerator({
      modelPath: STORIES,
      parallel: 1,
      maxQueue: 1,
      contextSize: 1024,
      threads: 1,
      sampling: SAMPLING,
    });
    try {
      const first = single.reserve().run(request());
      const second = single.reserve();
      let caught: unknown;
      try {
        single.reserve();
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(QueueFullError);
      expect((caught as QueueFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(single.status()).toMatchObject({ active: 1, queued: 1, parallel: 1, maxQueue: 1 });

      expect((await first).text.length).toBeGreaterThan(0);
      const third = single.reserve();
      const [a, b] = await Promise.all([second.run(request()), third.run(request())]);
      expect(a.text.length).toBeGreaterThan(0);
      // The third waited for the second's sequence.
      expect(b.timings.queueMs).toBeGreaterThan(0);
      expect(single.status()).toMatchObject({ active: 0, queued: 0 });
    } finally {
      await single.close();
    }
  });

  it("runs two answers at once on two sequences without mixing them up", async () => {
    const solo = (await generator.reserve().run(request())).text;
    const other = request({ question: "Tell me a story about a big dog in the park." });
    const soloOther = (await generator.reserve().run(other)).text;

    let maxActive = 0;
    const watch = () => (maxActive = Math.max(maxActive, generator.status().active));
    const [a, b] = await Promise.all([
      generator.reserve().run({ ...request(), onToken: watch }),
      generator.reserve().run({ ...other, onToken: watch }),
    ]);
    expect(maxActive).toBe(2);
    expect(a.text).toBe(solo);
    expect(b.text).toBe(soloOther);
  });

  it("includes the conversation history in the prompt it checks against the context", async () => {
    const history = Array.from({ length: 40 }, (_, i) => ({
      role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: "Once upon a time there was a little girl who liked to play in the park with her dog. ".repeat(3),
    }));
    expect(generator.countTokens(history.map((t) => t.content).join(" "))).toBeGreaterThan(generator.promptBudget());
    await expect(generator.reserve().run(request({ history }))).rejects.toBeInstanceOf(PromptTooLongError);
    // The failed answer gave its sequence back.
    expect(generator.status()).toMatchObject({ active: 0, queued: 0 });
    const ok = await generator.reserve().run(request({ history: history.slice(0, 2) }));
    expect(ok.text.length).toBeGreaterThan(0);
  });

  it("counts tokens with the model's tokenizer and leaves room for the answer in the prompt budget", () => {
    expect(generator.countTokens("")).toBe(0);
    expect(generator.countTokens("Once upon a time")).toBeGreaterThan(2);
    expect(generator.countTokens("Once upon a time ".repeat(10))).toBeGreaterThan(
      generator.countTokens("Once upon a time"),
    );
    const budget = generator.promptBudget();
    expect(budget).toBeLessThan(2048 - SAMPLING.maxTokens);
    expect(budget).toBeGreaterThan(1024);
  });

  it("refuses a missing file, naming it", async () => {
    const missing = path.join(tmp, "absent.gguf");
    await expect(
      loadLlamaGenerator({
        modelPath: missing,
        parallel: 1,
        maxQueue: 0,
        contextSize: 1024,
        threads: 1,
        sampling: SAMPLING,
      }),
    ).rejects.toThrow(`The model file ${missing} does not exist.`);
  });

  it("refuses a file that is not a GGUF, naming it and the reason", async () => {
    const junk = path.join(tmp, "notes.gguf");
    await writeFile(junk, "# meeting notes\nnot a model\n");
    await expect(
      loadLlamaGenerator({
        modelPath: junk,
        parallel: 1,
        maxQueue: 0,
        contextSize: 1024,
        threads: 1,
        sampling: SAMPLING,
      }),
    ).rejects.toThrow(
      `The model file ${junk} is not a readable GGUF model: it does not start with the GGUF signature.`,
    );
  });

  it("refuses settings that leave no room for the prompt", async () => {
    await expect(
      loadLlamaGenerator({
        modelPath: STORIES,
        parallel: 1,
        maxQueue: 0,
        contextSize: 512,
        threads: 1,
        sampling: { ...SAMPLING, maxTokens: 400 },
      }),
    ).rejects.toThrow(/context of 512 tokens .* too little is left for the prompt/);
  });

  it("refuses reservations after close()", async () => {
    const g = await loadLlamaGenerator({
      modelPath: STORIES,
      parallel: 1,
      maxQueue: 0,
      contextSize: 1024,
      threads: 1,
      sampling: SAMPLING,
    });
    await g.close();
    expect(() => g.reserve()).toThrow(/closed/);
  });
});
