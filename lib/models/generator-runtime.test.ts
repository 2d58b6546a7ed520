import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseEnv, resetEnvCache } from "@/lib/env";
import { getEmbedder } from "@/lib/server/index-runtime";
import { PROTOCOL_SERVER_MODEL, startProtocolServer } from "@/lib/testing/openai-protocol-server";
import { getLlamaRuntime } from "./llama-runtime";
import { USE_LITE_ID } from "./use-lite-embedder";
import type { Generator } from "./generator";
import {
  closeGenerator,
  createGeneratorFromEnv,
  describeGenerator,
  findModelInDir,
  getGenerator,
} from "./generator-runtime";

const MODELS = path.resolve(__dirname, "../../../shared/models");
const STORIES = path.join(MODELS, "stories260K.gguf");
const TINY_RANDOM = path.join(MODELS, "llama-2-tiny-random.gguf");
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
const TINY_SHA256 = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";

let tmp: string;
const opened: Generator[] = [];

async function create(vars: Record<string, string>): Promise<Generator> {
  const g = await createGeneratorFromEnv(parseEnv({ DATA_DIR: tmp, MODEL_THREADS: "1", ...vars }));
  opened.push(g);
  return g;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "generator-runtime-"));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((g) => g.close()));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("choosing the generator", () => {
  it("uses the GGUF at MODEL_PATH, with the sampling settings from the environment", async () => {
    const g = await create({
      MODEL_PATH: STORIES,
      MODEL_TEMPERATURE: "0.5",
      MODEL_SEED: "11",
      MODEL_MAX_TOKENS: "64",
      MODEL_PARALLEL: "3",
      MODEL_QUEUE_MAX: "4",
    });
    expect(g.kind).toBe("llama");
    expect(g.identity()).toMatchObject({
      kind: "llama",
      modelFile: "stories260K.gguf",
      modelSha256: STORIES_SHA256,
      threads: 1,
      gpu: (await getLlamaRuntime()).gpu || null,
      sampling: { temperature: 0.5, topP: 0.9, topK: 40, maxTokens: 64, seed: 11 },
    });
    expect(g.status()).toMatchObject({ parallel: 3, maxQueue: 4 });
  });

  it("answers extractively when no model is configured and DATA_DIR/models does not exist", async () => {
    const g = await create({});
    expect(g.kind).toBe("extractive");
    expect(g.identity().modelFile).toBeNull();
    // Sized for many askers at once: an extractive answer holds no model memory.
    expect(g.status()).toMatchObject({ parallel: 4, maxQueue: 128 });
    // The settings still win when given.
    const set = await create({ MODEL_PARALLEL: "1", MODEL_QUEUE_MAX: "0" });
    expect(set.status()).toMatchObject({ parallel: 1, maxQueue: 0 });
  });

  it("takes the first *.gguf by name from MODELS_DIR, skipping the embedding model", async () => {
    const dir = path.join(tmp, "models-a");
    await mkdir(dir);
    await symlink(TINY_RANDOM, path.join(dir, "a-tiny.gguf"));
    await symlink(STORIES, path.join(dir, "b-stories.gguf"));
    await writeFile(path.join(dir, "0-readme.txt"), "not a model");
    await writeFile(path.join(dir, ".0-hidden.gguf"), "editor swap file");

    expect(await findModelInDir(dir)).toBe(path.join(dir, "a-tiny.gguf"));
    const first = await create({ MODELS_DIR: dir });
    expect(first.identity()).toMatchObject({ kind: "llama", modelSha256: TINY_SHA256, quantization: "F16" });

    const second = await create({ MODELS_DIR: dir, EMBEDDING_MODEL_PATH: path.join(dir, "a-tiny.gguf") });
    expect(second.identity()).toMatchObject({ kind: "llama", modelSha256: STORIES_SHA256 });
  });

  it("defaults MODELS_DIR to DATA_DIR/models", async () => {
    const dataDir = path.join(tmp, "data-with-models");
    await mkdir(path.join(dataDir, "models"), { recursive: true });
    await symlink(STORIES, path.join(dataDir, "models", "story.gguf"));
    const g = await createGeneratorFromEnv(parseEnv({ DATA_DIR: dataDir, MODEL_THREADS: "1" }));
    opened.push(g);
    expect(g.identity().modelSha256).toBe(STORIES_SHA256);
  });

  it("an empty or missing MODELS_DIR means extractive", async () => {
    const empty = path.join(tmp, "empty-models");
    await mkdir(empty);
    expect((await create({ MODELS_DIR: empty })).kind).toBe("extractive");
    expect((await create({ MODELS_DIR: path.join(tmp, "no-such-dir") })).kind).toBe("extractive");
  });

  it("fails loudly, naming MODEL_PATH, when the configured model is missing or not a GGUF", async () => {
    const missing = path.join(tmp, "gone.gguf");
    await expect(create({ MODEL_PATH: missing })).rejects.toThrow(
      `MODEL_PATH=${missing}: the answer model cannot be used. The model file ${missing} does not exist.`,
    );
    const junk = path.join(tmp, "junk.gguf");
    await writeFile(junk, "{}");
    await expect(create({ MODEL_PATH: junk })).rejects.toThrow(
      /^MODEL_PATH=.*junk\.gguf: .*not a readable GGUF model: it does not start with the GGUF signature/,
    );
  });

  it("fails loudly, naming MODELS_DIR and the file, when the model found there cannot be loaded", async () => {
    const dir = path.join(tmp, "models-bad");
    await mkdir(dir);
    await writeFile(path.join(dir, "broken.gguf"), "GGUF but truncated");
    await expect(create({ MODELS_DIR: dir })).rejects.toThrow(
      `MODELS_DIR=${dir} (first model: broken.gguf): the answer model cannot be used.`,
    );
  });

  it("uses the model server at MODEL_SERVER_URL over any GGUF in MODELS_DIR, with its token from a file", async () => {
    const upstream = await startProtocolServer({ token: "runtime-token-0123456789" });
    try {
      const dir = path.join(tmp, "models-ignored");
      await mkdir(dir);
      await symlink(STORIES, path.join(dir, "story.gguf"));
      const keyFile = path.join(tmp, "model-server.key");
      await writeFile(keyFile, "runtime-token-0123456789\n", { mode: 0o600 });
      const g = await create({
        MODELS_DIR: dir,
        MODEL_SERVER_URL: `${upstream.url}/`,
        MODEL_SERVER_API_KEY_FILE: keyFile,
        MODEL_SERVER_SHA256: "ef".repeat(32),
        MODEL_PARALLEL: "3",
      });
      expect(g.kind).toBe("openai");
      expect(g.identity()).toMatchObject({
        kind: "openai",
        server: upstream.url,
        modelId: PROTOCOL_SERVER_MODEL,
        modelSha256: "ef".repeat(32),
        sha256Source: "declared",
      });
      expect(g.status()).toMatchObject({ kind: "openai", parallel: 3, maxQueue: 8 });
      expect(upstream.requests.at(-1)?.authorization).toBe("Bearer runtime-token-0123456789");

      await expect(
        create({ MODEL_SERVER_URL: upstream.url, MODEL_SERVER_API_KEY_FILE: path.join(tmp, "no-key") }),
      ).rejects.toThrow(
        `MODEL_SERVER_URL=${upstream.url}: the model server cannot be used. MODEL_SERVER_API_KEY_FILE: ${path.join(tmp, "no-key")} cannot be read (ENOENT).`,
      );
      await expect(create({ MODEL_SERVER_URL: upstream.url })).rejects.toThrow(
        /the model server cannot be used\. The model server at .* refused this server's credentials \(HTTP 401\)/,
      );
    } finally {
      await upstream.close();
    }
  });
});

describe("the process's generator", () => {
  afterEach(async () => {
    await closeGenerator();
    vi.unstubAllEnvs();
    resetEnvCache();
  });

  it("is loaded once and shared; describeGenerator reports identity, queue, CPU, embedder and GGUF details", async () => {
    vi.stubEnv("DATA_DIR", tmp);
    vi.stubEnv("MODEL_PATH", STORIES);
    vi.stubEnv("MODEL_THREADS", "1");
    vi.stubEnv("EMBEDDING_MODEL_PATH", "");
    resetEnvCache();
    const [a, b] = await Promise.all([getGenerator(), getGenerator()]);
    expect(a).toBe(b);
    expect(await getGenerator()).toBe(a);

    const d = await describeGenerator();
    expect(d.identity).toEqual(a.identity());
    expect(d.status).toEqual({ kind: "llama", active: 0, queued: 0, parallel: 2, maxQueue: 8 });
    const gpu = (await getLlamaRuntime()).gpu;
    if (gpu) expect(d.gpu).toMatchObject({ type: gpu, devices: expect.any(Array), vramTotal: expect.any(Number) });
    else expect(d.gpu).toBeNull();
    expect(d.embedderId).toBe(USE_LITE_ID);
    expect(d.model).toMatchObject({ architecture: "llama", trainContextSize: 2048, parameterCount: 292_800 });
    // The embedder's worker thread would otherwise outlive the test.
    await (await getEmbedder()).close();
  });

  it("does not keep a failed load: fixing the configuration and asking again works", async () => {
    vi.stubEnv("DATA_DIR", tmp);
    vi.stubEnv("MODEL_PATH", path.join(tmp, "later.gguf"));
    vi.stubEnv("MODEL_THREADS", "1");
    resetEnvCache();
    await expect(getGenerator()).rejects.toThrow(/^MODEL_PATH=/);
    await symlink(STORIES, path.join(tmp, "later.gguf"));
    expect((await getGenerator()).kind).toBe("llama");
  });
});
