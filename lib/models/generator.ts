import "server-only";

// The contract every answer generator meets: `llama` (node-llama-cpp with a GGUF), `openai` (an
// OpenAI-compatible inference server inside the perimeter) and `extractive` (no language model:
// the best supporting sentences, quoted and cited). The chat
// route reserves a place in the generator's bounded queue before it starts streaming, so a full
// queue can still be answered with 429 and a Retry-After header.

export type GeneratorKind = "llama" | "openai" | "extractive";

export interface SamplingSettings {
  temperature: number;
  topP: number;
  topK: number;
  /** Most tokens one answer may produce. */
  maxTokens: number;
  /** Fixed seed for reproducible sampling; null: random per answer. */
  seed: number | null;
}

/** What every answer records about the model that produced it. */
export interface GeneratorIdentity {
  kind: GeneratorKind;
  /** GGUF file name (no directory), size and sha256; null for the extractive generator. */
  modelFile: string | null;
  modelBytes: number | null;
  modelSha256: string | null;
  /** From the GGUF metadata (general.architecture, general.file_type). */
  architecture: string | null;
  quantization: string | null;
  /** Tokens per sequence; null when there is no model. */
  contextSize: number | null;
  /** "cuda", "vulkan" or "metal" when layers run on a GPU; null on the CPU. */
  gpu: string | null;
  threads: number | null;
  sampling: SamplingSettings | null;
  /** `openai` only: the server's /v1 base (no credentials) and the model id it serves. */
  server?: string;
  modelId?: string;
  /** `openai` only: where modelSha256 comes from: reported by the server, or declared (MODEL_SERVER_SHA256). */
  sha256Source?: "server" | "declared";
}

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

/** A retrieved passage as the generator sees it; `n` is the number it is cited by. */
export interface PromptPassage {
  n: number;
  text: string;
  title: string;
  headingPath: string;
  pageStart: number | null;
}

export interface GenerationRequest {
  /** Instructions and the numbered passages fenced as data (see lib/rag/prompt.ts). */
  system: string;
  /** Earlier turns, oldest first, already trimmed to fit the context. */
  history: ChatTurn[];
  question: string;
  /** The same passages in structured form (the extractive generator works from these). */
  passages: PromptPassage[];
  /** Aborting stops generation within a token; the result then has finishReason "abort". */
  signal?: AbortSignal;
  onToken?: (text: string) => void;
  /** Per-request sampling over the generator's own (the model server takes them from each request). */
  sampling?: Partial<SamplingSettings>;
}

export interface GenerationResult {
  text: string;
  finishReason: "stop" | "length" | "abort";
  /** Tokens produced (for the extractive generator: words streamed). */
  tokens: number;
  timings: { queueMs: number; firstTokenMs: number | null; totalMs: number };
}

export interface GeneratorStatus {
  kind: GeneratorKind;
  /** Generations running now, and the most that may run at once (context sequences). */
  active: number;
  parallel: number;
  /** Reservations waiting for a sequence, and the most that may wait before 429. */
  queued: number;
  maxQueue: number;
}

/** A place held in the queue. Exactly one of run() or release() must be called. */
export interface GenerationTicket {
  run(req: GenerationRequest): Promise<GenerationResult>;
  release(): void;
}

export interface Generator {
  readonly kind: GeneratorKind;
  identity(): GeneratorIdentity;
  /** Tokens available to the prompt (system, history and question) after the answer's reserve. */
  promptBudget(): number;
  /** Tokens in a text as this model counts them (estimated for the extractive generator). */
  countTokens(text: string): number;
  /** Reserves a place now or throws QueueFullError; never waits. */
  reserve(): GenerationTicket;
  status(): GeneratorStatus;
  close(): Promise<void>;
}

export class QueueFullError extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`The answer queue is full. Try again in ${retryAfterSeconds} s.`);
    this.name = "QueueFullError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * By shape, not instanceof: the llama generator is loaded with a dynamic import, and a bundler may
 * give that chunk its own copy of this module, hence its own QueueFullError class.
 */
export function isQueueFullError(err: unknown): err is QueueFullError {
  return (
    err instanceof Error &&
    err.name === "QueueFullError" &&
    typeof (err as { retryAfterSeconds?: unknown }).retryAfterSeconds === "number"
  );
}
