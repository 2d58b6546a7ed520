import "server-only";
import path from "node:path";

// Text → vector. One loaded model per configuration per process: loading USE-lite costs a few
// hundred milliseconds and a GGUF model can cost gigabytes, and Next.js may evaluate this module
// more than once, so the cache lives on globalThis.

export interface Embedder {
  /** Stable identity recorded with the vectors; a different id means incomparable vectors. */
  readonly id: string;
  readonly dim: number;
  /** The input size, in the model's tokens, that the chunker should aim for. */
  readonly maxTokens: number;
  /** One unit-length vector per text, in order. Batched internally; [] for []. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Releases the model. Meant for shutdown and tests: the instance is shared in the process. */
  close(): Promise<void>;
}

export interface EmbedderConfig {
  /** A GGUF embedding model; without it the bundled Universal Sentence Encoder Lite is used. */
  modelPath?: string;
  /** CPU threads for llama.cpp (GGUF only; USE-lite runs single-threaded WebAssembly). */
  threads?: number;
  /** Texts per model call (USE-lite only; llama.cpp embeds one sequence at a time). */
  batchSize?: number;
}

const EMBEDDERS = Symbol.for("knowledge-qa.embedders");
type Holder = { [EMBEDDERS]?: Map<string, Promise<Embedder>> };

function cache(): Map<string, Promise<Embedder>> {
  const holder = globalThis as Holder;
  holder[EMBEDDERS] ??= new Map();
  return holder[EMBEDDERS];
}

export function createEmbedder(config: EmbedderConfig = {}): Promise<Embedder> {
  const modelPath = config.modelPath ? path.resolve(config.modelPath) : undefined;
  const key = JSON.stringify({
    modelPath: modelPath ?? null,
    threads: config.threads ?? null,
    batchSize: config.batchSize ?? null,
  });
  const embedders = cache();
  const existing = embedders.get(key);
  if (existing) return existing;

  const pending = load(modelPath, config).then((embedder) =>
    withCacheRelease(embedder, () => {
      if (embedders.get(key) === pending) embedders.delete(key);
    }),
  );
  embedders.set(key, pending);
  // A failed load is not cached: fixing the file and retrying must work without a restart.
  pending.catch(() => {
    if (embedders.get(key) === pending) embedders.delete(key);
  });
  return pending;
}

async function load(modelPath: string | undefined, config: EmbedderConfig): Promise<Embedder> {
  if (modelPath) {
    const { loadGgufEmbedder } = await import("./gguf-embedder");
    return loadGgufEmbedder({ modelPath, threads: config.threads });
  }
  const { loadUseLiteEmbedder } = await import("./use-lite-embedder");
  return loadUseLiteEmbedder({ batchSize: config.batchSize });
}

function withCacheRelease(embedder: Embedder, release: () => void): Embedder {
  return {
    id: embedder.id,
    dim: embedder.dim,
    maxTokens: embedder.maxTokens,
    embed: (texts) => embedder.embed(texts),
    close: async () => {
      release();
      await embedder.close();
    },
  };
}
