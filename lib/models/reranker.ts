import "server-only";
import { defaultLlamaThreads, getLlamaRuntime } from "./llama-runtime";
import { describeModelFile } from "./model-file";

// A cross-encoder that scores (question, passage) pairs, for operators who bring a GGUF reranking
// model (bge-reranker-v2-m3, jina-reranker-v1-tiny-en …; docs/adr/0029). It reorders the passages
// that fusion and the relevance floor kept; it never adds one the floor removed.

export interface Reranker {
  /** Recorded beside the embedder's: file name and sha256 prefix. */
  readonly id: string;
  /** One relevance score in 0..1 per passage, in order. */
  rank(question: string, passages: string[]): Promise<number[]>;
  close(): Promise<void>;
}

export class RerankerLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RerankerLoadError";
  }
}

/** Question plus passage; longer passages are scored by their best window (node-llama-cpp's maxChunk). */
const CONTEXT_TOKENS = 1024;

export async function loadGgufReranker(opts: { modelPath: string; threads?: number }): Promise<Reranker> {
  const file = await describeModelFile(opts.modelPath);
  const llama = await getLlamaRuntime();
  let model;
  try {
    model = await llama.loadModel({ modelPath: file.path });
  } catch (err) {
    throw new RerankerLoadError(`Could not load the reranking model ${file.path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let context;
  try {
    context = await model.createRankingContext({
      threads: opts.threads ?? defaultLlamaThreads(),
      contextSize: Math.min(model.trainContextSize, CONTEXT_TOKENS),
    });
  } catch (err) {
    await model.dispose();
    // An embedding or chat model has no ranking head: say so rather than ranking by noise.
    throw new RerankerLoadError(
      `${file.fileName} is not a reranking model (${(err as Error).message}). RERANKER_MODEL_PATH needs a ` +
        "cross-encoder in GGUF, for example bge-reranker-v2-m3.",
      { cause: err },
    );
  }
  const ctx = context;
  let closed = false;
  return {
    id: `gguf-rerank:${file.fileName}:${file.sha256.slice(0, 12)}`,
    async rank(question, passages) {
      if (closed) throw new Error("The reranker has been closed.");
      if (passages.length === 0) return [];
      return ctx.rankAll(question, passages, { onOverflow: "maxChunk" });
    },
    async close() {
      if (closed) return;
      closed = true;
      await ctx.dispose();
      await model.dispose();
    },
  };
}
