import "server-only";
import type { Token } from "node-llama-cpp";
import type { Embedder } from "./embedder";
import { defaultLlamaThreads, getLlamaRuntime } from "./llama-runtime";
import { describeModelFile } from "./model-file";
import { l2Normalize } from "./vector-math";

// Any GGUF embedding model (bge, e5, nomic, gte …) through node-llama-cpp, on the GPU when one
// is usable and on the CPU otherwise.

/** Chunks larger than this dilute the embedding even when the model accepts more. */
const MAX_CHUNK_TOKENS = 512;
/** Longer inputs are truncated: the context (and its memory) is sized once, up front. */
const MAX_CONTEXT_TOKENS = 2048;

export async function loadGgufEmbedder(opts: { modelPath: string; threads?: number }): Promise<Embedder> {
  // Checked and hashed first, so a wrong path fails with a message naming it.
  const file = await describeModelFile(opts.modelPath);
  const threads = opts.threads ?? defaultLlamaThreads();
  const llama = await getLlamaRuntime();

  let model;
  try {
    model = await llama.loadModel({ modelPath: file.path });
  } catch (err) {
    throw new Error(`Could not load the embedding model ${file.path}: ${(err as Error).message}`, { cause: err });
  }
  const dim = model.embeddingVectorSize;
  const contextSize = Math.min(model.trainContextSize, MAX_CONTEXT_TOKENS);
  let context;
  try {
    if (!(dim > 0)) throw new Error("the model reports no embedding size");
    context = await model.createEmbeddingContext({ threads, contextSize });
  } catch (err) {
    await model.dispose();
    throw new Error(`Could not create an embedding context for ${file.path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const ctx = context;

  const fit = (text: string): Token[] => {
    let tokens = model.tokenize(text);
    // BOS/EOS are added by node-llama-cpp; the input must stay strictly below the context size.
    // calculateInputLength may add those tokens to the array it is given, hence the copies.
    const overflow = ctx.calculateInputLength(tokens.slice()) - (contextSize - 1);
    if (overflow > 0) tokens = tokens.slice(0, Math.max(0, tokens.length - overflow));
    return tokens;
  };

  let closed = false;
  return {
    id: `gguf:${file.fileName}:${file.sha256.slice(0, 12)}`,
    dim,
    maxTokens: Math.min(model.trainContextSize, MAX_CHUNK_TOKENS),
    async embed(texts) {
      if (closed) throw new Error("The embedder has been closed.");
      const out: Float32Array[] = [];
      for (const text of texts) {
        const tokens = fit(text);
        // A text with no tokens has no meaning to place; a zero vector matches nothing.
        const vector = tokens.length === 0 ? [] : (await ctx.getEmbeddingFor(tokens)).vector;
        if (vector.length === 0) out.push(new Float32Array(dim));
        else if (vector.length === dim) out.push(l2Normalize(vector));
        else throw new Error(`The embedding model ${file.fileName} returned ${vector.length} values, expected ${dim}.`);
      }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await ctx.dispose();
      await model.dispose();
    },
  };
}
