import "server-only";
import path from "node:path";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { trackGenerator } from "@/lib/metrics/record";
import { getEmbedder } from "@/lib/server/index-runtime";
import { createExtractiveGenerator } from "./extractive-generator";
import type { Generator, GeneratorIdentity, GeneratorStatus } from "./generator";
import type { GgufInfo } from "./gguf-info";
import { configuredGenerator, findModelInDir, GeneratorConfigError } from "./generator-config";
import type { LlamaGenerator } from "./llama-generator";
import { getLlamaRuntime } from "./llama-runtime";
import { describeServer, modelServerTargetFromEnv } from "./model-server-client";

// One answer generator per process, chosen from the configuration: MODEL_SERVER_URL, else
// MODEL_PATH, else the first *.gguf in MODELS_DIR, else the extractive generator. A model that is configured but cannot be
// loaded is an error that stops start-up: silently answering without it would mislead users.

const GENERATOR = Symbol.for("knowledge-qa.generator");
type Holder = { [GENERATOR]?: Promise<Generator> };

export { findModelInDir, GeneratorConfigError };

/**
 * Queue sizes when MODEL_PARALLEL / MODEL_QUEUE_MAX are unset, per generator. A model (in
 * process or on a server) holds a context sequence per running answer, so few run at once and
 * few wait. An extractive answer is a few milliseconds of sentence scoring with no model memory
 * behind it: the askers of a busy morning (50 at once on 2 cores) wait their turn instead of
 * being refused, and the bound still stops a flood (docs/adr/0030-throughput-defaults.md).
 */
export const QUEUE_DEFAULTS = {
  model: { parallel: 2, maxQueue: 8 },
  extractive: { parallel: 4, maxQueue: 128 },
} as const;

export function queueSettings(e: Env, kind: keyof typeof QUEUE_DEFAULTS): { parallel: number; maxQueue: number } {
  const d = QUEUE_DEFAULTS[kind];
  return { parallel: e.MODEL_PARALLEL ?? d.parallel, maxQueue: e.MODEL_QUEUE_MAX ?? d.maxQueue };
}

/** Builds the generator a configuration asks for. getGenerator() calls this once per process. */
export async function createGeneratorFromEnv(e: Env): Promise<Generator> {
  const configured = await configuredGenerator(e);
  const modelPath = configured.modelPath;
  const source = configured.source;
  const sampling = {
    temperature: e.MODEL_TEMPERATURE,
    topP: e.MODEL_TOP_P,
    topK: e.MODEL_TOP_K,
    maxTokens: e.MODEL_MAX_TOKENS,
    seed: e.MODEL_SEED ?? null,
  };

  if (configured.server) {
    const { connectOpenAiGenerator } = await import("./openai-generator");
    try {
      const target = await modelServerTargetFromEnv(e);
      return await connectOpenAiGenerator({
        baseUrl: configured.server.url,
        model: configured.server.model ?? undefined,
        apiKey: target?.apiKey ?? null,
        declaredSha256: configured.server.declaredSha256,
        ...queueSettings(e, "model"),
        contextSize: e.MODEL_CONTEXT_SIZE,
        sampling,
        timeoutMs: e.MODEL_SERVER_TIMEOUT_SECONDS * 1000,
      });
    } catch (err) {
      throw new GeneratorConfigError(
        `MODEL_SERVER_URL=${describeServer(configured.server.url)}: the model server cannot be used. ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  if (!modelPath) {
    return createExtractiveGenerator({
      ...queueSettings(e, "extractive"),
      promptBudget: e.MODEL_CONTEXT_SIZE - e.MODEL_MAX_TOKENS,
    });
  }

  const { loadLlamaGenerator } = await import("./llama-generator");
  try {
    return await loadLlamaGenerator({
      modelPath,
      ...queueSettings(e, "model"),
      contextSize: e.MODEL_CONTEXT_SIZE,
      threads: e.MODEL_THREADS,
      gpu: e.MODEL_GPU,
      sampling,
    });
  } catch (err) {
    const where =
      source === "MODEL_PATH"
        ? `MODEL_PATH=${e.MODEL_PATH}`
        : `MODELS_DIR=${e.modelsDir} (first model: ${path.basename(modelPath)})`;
    throw new GeneratorConfigError(`${where}: the answer model cannot be used. ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The process's generator, loaded on first use. A failed load is not cached: fixing the file and retrying works. */
export function getGenerator(): Promise<Generator> {
  const holder = globalThis as Holder;
  if (!holder[GENERATOR]) {
    const pending = createGeneratorFromEnv(env()).then((g) => {
      const id = g.identity();
      // Queue gauges follow the process's one generator, however it is reached (chat, /v1, admin).
      trackGenerator(g);
      log.info("answer generator ready", {
        kind: id.kind,
        model: id.modelFile,
        server: id.server,
        sha256: id.modelSha256,
        gpu: id.gpu,
        contextSize: id.contextSize,
        parallel: g.status().parallel,
      });
      return g;
    });
    holder[GENERATOR] = pending;
    pending.catch(() => {
      if (holder[GENERATOR] === pending) delete holder[GENERATOR];
    });
  }
  return holder[GENERATOR];
}

/** Closes the process's generator (shutdown, tests); the next getGenerator() loads a new one. */
export async function closeGenerator(): Promise<void> {
  const holder = globalThis as Holder;
  const pending = holder[GENERATOR];
  delete holder[GENERATOR];
  if (!pending) return;
  const generator = await pending.catch((err: unknown) => {
    // A generator that failed to load holds nothing to close; its error already reached the caller of getGenerator.
    log.debug("closing a generator that never loaded", { err });
    return null;
  });
  await generator?.close();
}

export interface GpuDescription {
  /** "cuda", "vulkan" or "metal". */
  type: string;
  devices: string[];
  vramTotal?: number;
  vramUsed?: number;
}

export interface GeneratorDescription {
  identity: GeneratorIdentity;
  status: GeneratorStatus;
  /** The GPU the model runs on; null on the CPU and for the extractive generator. */
  gpu: GpuDescription | null;
  embedderId: string;
  /** What the GGUF header says (name, size, trained context); null for the extractive generator. */
  model: GgufInfo | null;
}

/** What the admin page shows about answering: generator, queue, GPU and embedder. */
export async function describeGenerator(): Promise<GeneratorDescription> {
  const generator = await getGenerator();
  const embedder = await getEmbedder();
  const identity = generator.identity();
  let gpu: GpuDescription | null = null;
  if (identity.gpu) {
    const llama = await getLlamaRuntime();
    const [devices, vram] = await Promise.all([llama.getGpuDeviceNames(), llama.getVramState()]);
    gpu = { type: identity.gpu, devices, vramTotal: vram.total, vramUsed: vram.used };
  }
  return {
    identity,
    status: generator.status(),
    gpu,
    embedderId: embedder.id,
    model: generator.kind === "llama" ? (generator as LlamaGenerator).ggufInfo : null,
  };
}
