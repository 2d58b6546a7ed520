import "server-only";
import type { Embedder } from "./embedder";
import { candidateSentences, pickSentences, withCitation } from "./extractive-select";
import { GenerationQueue } from "./generation-queue";
import type {
  GenerationRequest,
  GenerationResult,
  GenerationTicket,
  Generator,
  GeneratorIdentity,
  GeneratorStatus,
} from "./generator";
import { dot } from "./vector-math";

// The answer when no language model is configured: the sentences of the retrieved passages that
// best match the question, quoted as written, each cited, under a first sentence saying plainly
// that no model wrote it. It goes through the same queue and streams like the llama generator, so
// the chat route treats both alike.

export interface ExtractiveGeneratorOptions {
  parallel: number;
  maxQueue: number;
  /** Sentences quoted at most (default 4). */
  maxSentences?: number;
  /** When given, sentence similarity to the question is combined with lexical coverage. */
  embedder?: Embedder;
  /** Tokens the route may spend on history; nothing is sent to a model, so this only bounds work. */
  promptBudget?: number;
}

export const EXTRACTIVE_LABEL =
  "No language model is configured, so this answer quotes the sentences from your documents that best match the question.";
export const EXTRACTIVE_NOTHING =
  "No language model is configured, and none of the passages found for the question contains a sentence to quote.";

/** Candidate sentences embedded per answer at most; beyond this only lexical coverage counts. */
const MAX_EMBEDDED = 160;

/** Words and the spaces after them: the pieces the answer is streamed in. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Rough token count (about 0.75 words per token in English); no tokenizer is loaded. */
function estimateTokens(text: string): number {
  const words = text.match(/\S+/g)?.length ?? 0;
  return Math.ceil(words * 1.33);
}

export function createExtractiveGenerator(opts: ExtractiveGeneratorOptions): Generator {
  const queue = new GenerationQueue({ parallel: opts.parallel, maxQueue: opts.maxQueue, initialEstimateMs: 1_000 });
  const budget = opts.promptBudget ?? 8192;
  const identity: GeneratorIdentity = Object.freeze({
    kind: "extractive",
    modelFile: null,
    modelBytes: null,
    modelSha256: null,
    architecture: null,
    quantization: null,
    contextSize: null,
    gpu: null,
    threads: null,
    sampling: null,
  });
  let closed = false;

  /** The whole answer, or null when stopped before it was composed. */
  async function compose(req: GenerationRequest, signal: AbortSignal | undefined): Promise<string | null> {
    const candidates = candidateSentences(req.passages);
    if (candidates.length === 0) return EXTRACTIVE_NOTHING;
    let similarities: number[] | undefined;
    if (opts.embedder) {
      const embedded = candidates.slice(0, MAX_EMBEDDED);
      const [q, ...vectors] = await opts.embedder.embed([req.question, ...embedded.map((c) => c.text)]);
      similarities = candidates.map((_, i) => (vectors[i] && q ? dot(q, vectors[i]) : 0));
      if (signal?.aborted) return null;
    }
    const chosen = pickSentences(req.question, candidates, { maxSentences: opts.maxSentences, similarities });
    return [EXTRACTIVE_LABEL, "", ...chosen.map((s) => withCitation(s.text, s.n))].join("\n");
  }

  async function stream(
    req: GenerationRequest,
    startedAt: number,
  ): Promise<Omit<GenerationResult, "timings"> & { firstTokenAt: number | null }> {
    const answer = await compose(req, req.signal);
    let text = "";
    let tokens = 0;
    let firstTokenAt: number | null = null;
    if (answer === null) return { text, finishReason: "abort", tokens, firstTokenAt };
    for (const piece of pieces(answer)) {
      if (req.signal?.aborted) return { text, finishReason: "abort", tokens, firstTokenAt };
      firstTokenAt ??= performance.now() - startedAt;
      text += piece;
      tokens++;
      req.onToken?.(piece);
      // Yield between pieces so the stream flushes and a stop is seen between words.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Every piece went out: the answer is complete even if a stop arrives now.
    return { text, finishReason: "stop", tokens, firstTokenAt };
  }

  return {
    kind: "extractive",
    identity: () => identity,
    promptBudget: () => budget,
    countTokens: estimateTokens,
    status(): GeneratorStatus {
      return { kind: "extractive", ...queue.status() };
    },
    reserve(): GenerationTicket {
      if (closed) throw new Error("The generator has been closed.");
      const place = queue.reserve();
      return {
        release: () => place.release(),
        async run(req) {
          const startedAt = performance.now();
          const outcome = await place.run(() => stream(req, startedAt), req.signal);
          const totalMs = performance.now() - startedAt;
          if (outcome.aborted)
            return {
              text: "",
              finishReason: "abort",
              tokens: 0,
              timings: { queueMs: outcome.queueMs, firstTokenMs: null, totalMs },
            };
          const { firstTokenAt, ...result } = outcome.value;
          return { ...result, timings: { queueMs: outcome.queueMs, firstTokenMs: firstTokenAt, totalMs } };
        },
      };
    },
    async close() {
      closed = true;
      queue.close();
    },
  };
}
