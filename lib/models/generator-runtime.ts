import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";
import { getEmbedder } from "@/lib/server/index-runtime";
import { createExtractiveGenerator } from "./extractive-generator";
import type { Generator, GeneratorIdentity, GeneratorStatus } from "./generator";
import type { GgufInfo } from "./gguf-info";
import type { LlamaGenerator } from "./llama-generator";
import { getLlamaRuntime } from "./llama-runtime";

// One answer generator per process, chosen from the configuration: MODEL_PATH, else the first
// *.gguf in MODELS_DIR, else the extractive generator. A model that is configured but cannot be
// loaded is an error that stops start-up: silently answering without it would mislead users.

const GENERATOR = Symbol.for("knowledge-qa.generator");
type Holder = { [GENERATOR]?: Promise<Generator> };

export class GeneratorConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GeneratorConfigError";
  }
}

/** The first *.gguf in the folder by name, or null when the folder is missing or has none. */
export async function findModelInDir(dir: string, exclude: readonly string[] = []): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw new GeneratorConfigError(`MODELS_DIR: the folder ${dir} cannot be read (${code ?? (err as Error).message}).`, { cause: err });
  }
  const skip = new Set(exclude.map((p) => path.resolve(p)));
  const found = names
    .filter((n) => n.toLowerCase().endsWith(".gguf") && !n.startsWith("."))
    .sort()
    .map((n) => path.join(dir, n))
    .find((p) => !skip.has(p));
  return found ?? null;
}

/** Builds the generator a configuration asks for. getGenerator() calls this once per process. */
export async function createGeneratorFromEnv(e: Env): Promise<Generator> {
  let modelPath: string | null = null;
  let source: "MODEL_PATH" | "MODELS_DIR";
  if (e.MODEL_PATH) {
    modelPath = path.resolve(e.MODEL_PATH);
    source = "MODEL_PATH";
  } else {
    // The embedding model may sit in the same folder; it is not a chat model.
    modelPath = await findModelInDir(e.modelsDir, e.EMBEDDING_MODEL_PATH ? [e.EMBEDDING_MODEL_PATH] : []);
    source = "MODELS_DIR";
  }

  if (!modelPath) {
    return createExtractiveGenerator({ parallel: e.MODEL_PARALLEL, maxQueue: e.MODEL_QUEUE_MAX, promptBudget: e.MODEL_CONTEXT_SIZE - e.MODEL_MAX_TOKENS });
  }

  const { loadLlamaGenerator } = await import("./llama-generator");
  try {
    return await loadLlamaGenerator({
      modelPath,
      parallel: e.MODEL_PARALLEL,
      maxQueue: e.MODEL_QUEUE_MAX,
      contextSize: e.MODEL_CONTEXT_SIZE,
      threads: e.MODEL_THREADS,
      gpu: e.MODEL_GPU,
      sampling: {
        temperature: e.MODEL_TEMPERATURE,
        topP: e.MODEL_TOP_P,
        topK: e.MODEL_TOP_K,
        maxTokens: e.MODEL_MAX_TOKENS,
        seed: e.MODEL_SEED ?? null,
      },
    });
  } catch (err) {
    const where = source === "MODEL_PATH" ? `MODEL_PATH=${e.MODEL_PATH}` : `MODELS_DIR=${e.modelsDir} (first model: ${path.basename(modelPath)})`;
    throw new GeneratorConfigError(`${where}: the answer model cannot be used. ${(err as Error).message}`, { cause: err });
  }
}

/** The process's generator, loaded on first use. A failed load is not cached: fixing the file and retrying works. */
export function getGenerator(): Promise<Generator> {
  const holder = globalThis as Holder;
  if (!holder[GENERATOR]) {
    const pending = createGeneratorFromEnv(env()).then((g) => {
      const id = g.identity();
      log.info("answer generator ready", { kind: id.kind, model: id.modelFile, sha256: id.modelSha256, gpu: id.gpu, contextSize: id.contextSize, parallel: g.status().parallel });
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
  const generator = await pending.catch(() => null);
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
