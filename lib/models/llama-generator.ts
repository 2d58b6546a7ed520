import "server-only";
import type { ChatHistoryItem, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { GenerationQueue } from "./generation-queue";
import { queuedGeneration } from "./queued-generation";
import type {
  GenerationRequest,
  GenerationResult,
  Generator,
  GeneratorIdentity,
  GeneratorStatus,
  SamplingSettings,
} from "./generator";
import { readGgufInfo, type GgufInfo } from "./gguf-info";
import { defaultLlamaThreads, getLlamaRuntime } from "./llama-runtime";
import { describeModelFile, ModelFileError, type ModelFileInfo } from "./model-file";

// Answers from a local GGUF model through node-llama-cpp. One model and ONE context per process;
// the context has `parallel` sequences and each running answer holds one of them, so concurrent
// answers share the weights and batch their evaluation instead of each loading a copy. The
// bounded queue in front decides who gets a sequence.

export interface LlamaGeneratorOptions {
  modelPath: string;
  /** Answers at once (context sequences). */
  parallel: number;
  /** Answers that may wait for a sequence before reserve() refuses. */
  maxQueue: number;
  /** Cap on the context per sequence; the model's trained context wins when smaller. */
  contextSize: number;
  /** CPU threads for evaluation; default: every available core (see defaultLlamaThreads). */
  threads?: number;
  /** "auto": offload to CUDA/Vulkan/Metal when node-llama-cpp finds one; "off": CPU only. */
  gpu?: "auto" | "off";
  sampling: SamplingSettings;
}

export interface LlamaGenerator extends Generator {
  readonly kind: "llama";
  /** The file as hashed, and what its GGUF header says. */
  readonly file: ModelFileInfo;
  readonly ggufInfo: GgufInfo;
}

export class PromptTooLongError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromptTooLongError";
  }
}

/** Tokens the chat template adds around system, history and question (role markers, BOS …). */
function templateMargin(contextSize: number): number {
  return Math.max(64, Math.ceil(contextSize * 0.03));
}

/** A model whose context leaves less than this for the prompt cannot hold even a few passages. */
const MIN_PROMPT_TOKENS = 256;

export async function loadLlamaGenerator(opts: LlamaGeneratorOptions): Promise<LlamaGenerator> {
  // Hashed and parsed first: a wrong path or a file that is not a GGUF fails with its name.
  const file = await describeModelFile(opts.modelPath);
  const ggufInfo = await readGgufInfo(file.path);
  const threads = opts.threads ?? defaultLlamaThreads();
  const llama = await getLlamaRuntime();
  const gpuWanted = opts.gpu !== "off" && llama.gpu !== false;

  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: file.path, gpuLayers: gpuWanted ? "auto" : 0 });
  } catch (err) {
    throw new ModelFileError(`Could not load the model ${file.path}: ${(err as Error).message}`, { cause: err });
  }

  const maxTokens = opts.sampling.maxTokens;
  const trained = model.trainContextSize;
  const wanted = Math.min(trained, opts.contextSize);
  if (wanted - maxTokens - templateMargin(wanted) < MIN_PROMPT_TOKENS) {
    await model.dispose();
    throw new ModelFileError(
      `The model ${file.fileName} would get a context of ${wanted} tokens (trained ${trained}, cap ${opts.contextSize}); ` +
        `after ${maxTokens} tokens reserved for the answer too little is left for the prompt. Lower the answer length or raise the context cap.`,
    );
  }

  let context: LlamaContext;
  try {
    context = await model.createContext({ sequences: opts.parallel, contextSize: wanted, threads });
  } catch (err) {
    await model.dispose();
    throw new ModelFileError(
      `Could not create a context of ${wanted} tokens × ${opts.parallel} sequences for ${file.path}: ${(err as Error).message}. ` +
        `A smaller context cap or fewer parallel answers needs less memory.`,
      { cause: err },
    );
  }
  const sequences = Array.from({ length: opts.parallel }, () => context.getSequence());
  // llama.cpp may round the context up to a multiple of 256.
  const contextSize = context.contextSize;
  const budget = contextSize - maxTokens - templateMargin(contextSize);

  const identity: GeneratorIdentity = Object.freeze({
    kind: "llama",
    modelFile: file.fileName,
    modelBytes: file.bytes,
    modelSha256: file.sha256,
    architecture: ggufInfo.architecture,
    quantization: ggufInfo.quantization,
    contextSize,
    gpu: gpuWanted && model.gpuLayers > 0 ? llama.gpu : null,
    threads,
    sampling: Object.freeze({ ...opts.sampling }),
  });

  const queue = new GenerationQueue({ parallel: opts.parallel, maxQueue: opts.maxQueue });

  const countTokens = (text: string) => model.tokenize(text).length;

  async function generate(
    sequence: LlamaContextSequence,
    req: GenerationRequest,
    signal: AbortSignal,
    startedAt: number,
  ) {
    const sampling = { ...opts.sampling, ...req.sampling };
    const answerTokens = Math.min(sampling.maxTokens, maxTokens);
    const needed =
      countTokens(req.system) + countTokens(req.question) + req.history.reduce((n, t) => n + countTokens(t.content), 0);
    if (needed > contextSize - maxTokens) {
      throw new PromptTooLongError(
        `The prompt needs ${needed} tokens but ${file.fileName} has room for ${contextSize - maxTokens} ` +
          `(context ${contextSize}, ${maxTokens} reserved for the answer).`,
      );
    }

    const { LlamaChatSession } = await import("node-llama-cpp");
    // forceAddSystemPrompt: the passages are in the system prompt, and some chat templates
    // (Gemma's) would otherwise drop it silently; the wrapper then folds it into the first turn.
    const session = new LlamaChatSession({
      contextSequence: sequence,
      systemPrompt: req.system,
      forceAddSystemPrompt: true,
    });
    let streamed = "";
    let tokens = 0;
    let firstTokenAt: number | null = null;
    const timings = (queueMs: number) => ({
      queueMs,
      firstTokenMs: firstTokenAt === null ? null : firstTokenAt - startedAt,
      totalMs: performance.now() - startedAt,
    });
    try {
      const history: ChatHistoryItem[] = session.getChatHistory();
      for (const turn of req.history) {
        history.push(
          turn.role === "user" ? { type: "user", text: turn.content } : { type: "model", response: [turn.content] },
        );
      }
      session.setChatHistory(history);

      const result = await session.promptWithMeta(req.question, {
        signal,
        // Stopping mid-answer returns what was produced instead of throwing.
        stopOnAbortSignal: true,
        maxTokens: answerTokens,
        temperature: sampling.temperature,
        topP: sampling.topP,
        topK: sampling.topK,
        seed: sampling.seed ?? undefined,
        onToken: (chunk) => {
          tokens += chunk.length;
        },
        onTextChunk: (chunk) => {
          if (!chunk) return;
          firstTokenAt ??= performance.now();
          streamed += chunk;
          req.onToken?.(chunk);
        },
      });
      const finishReason: GenerationResult["finishReason"] =
        result.stopReason === "abort" || signal.aborted
          ? "abort"
          : result.stopReason === "maxTokens"
            ? "length"
            : "stop";
      return { text: result.responseText, finishReason, tokens, timings };
    } catch (err) {
      // An abort during prompt evaluation (before the first token) throws; it is still a stop.
      if (signal.aborted) return { text: streamed, finishReason: "abort" as const, tokens, timings };
      throw new Error(`Generation with ${file.fileName} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      session.dispose();
    }
  }

  const generation = queuedGeneration(queue, (slot, req, signal, startedAt) =>
    generate(sequences[slot]!, req, signal, startedAt),
  );
  const generator: LlamaGenerator = {
    kind: "llama",
    file,
    ggufInfo,
    identity: () => identity,
    promptBudget: () => budget,
    countTokens,
    status(): GeneratorStatus {
      return { kind: "llama", ...queue.status() };
    },
    reserve: () => generation.reserve(),
    async close() {
      if (!(await generation.close())) return;
      await context.dispose();
      await model.dispose();
    },
  };
  return generator;
}
