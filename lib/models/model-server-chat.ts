import "server-only";
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { isQueueFullError, type ChatTurn, type GenerationRequest, type GenerationResult } from "./generator";
import type { LlamaGenerator } from "./llama-generator";
import type { ModelServerMetrics } from "./model-server-metrics";

// POST /v1/chat/completions on the model server, as OpenAI's API reference describes it: the
// messages become the generator's system prompt, history and question; `stream: true` answers
// with server-sent `chat.completion.chunk` events ending in `data: [DONE]`; a full queue is 429
// with Retry-After; a client that disconnects aborts its generation within a token.

const text = z.string();
const contentSchema = z.union([
  text,
  z.array(z.object({ type: z.literal("text"), text })).transform((parts) => parts.map((p) => p.text).join("")),
  z.null().transform(() => ""),
]);

export const chatRequestSchema = z.object({
  model: z.string().optional(),
  messages: z
    .array(z.object({ role: z.enum(["system", "developer", "user", "assistant"]), content: contentSchema }))
    .min(1, "must hold at least one message"),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(0).nullish(),
  seed: z.number().int().min(0).nullish(),
  n: z.literal(1, "only n=1 is supported").nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;

export class OpenAiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "OpenAiHttpError";
  }

  body() {
    return { error: { message: this.message, type: this.type, param: null, code: this.code } };
  }
}

/** The messages as system prompt, earlier turns and the question; the last message must be the user's. */
export function toGenerationRequest(req: ChatRequest): Pick<GenerationRequest, "system" | "history" | "question"> {
  const system = req.messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => m.content)
    .join("\n\n");
  const turns = req.messages.filter((m) => m.role === "user" || m.role === "assistant");
  const last = turns.at(-1);
  if (!last || last.role !== "user" || req.messages.at(-1)?.role !== "user")
    throw new OpenAiHttpError(400, "invalid_request_error", "invalid_messages", "The last message must be the user's.");
  const history: ChatTurn[] = turns.slice(0, -1).map((m) => ({ role: m.role as ChatTurn["role"], content: m.content }));
  return { system, history, question: last.content };
}

function finishReasonOf(r: GenerationResult): "stop" | "length" {
  return r.finishReason === "length" ? "length" : "stop";
}

export interface ChatContext {
  generator: LlamaGenerator;
  modelId: string;
  metrics: ModelServerMetrics;
}

/** Answers one chat completion request; every failure is an OpenAI-shaped error or, once streaming, an error event. */
export async function serveChatCompletion(ctx: ChatContext, raw: unknown, res: ServerResponse): Promise<void> {
  const { generator, metrics, modelId } = ctx;
  const parsed = chatRequestSchema.safeParse(raw);
  if (!parsed.success) {
    metrics.requests.inc({ outcome: "invalid" });
    const issue = parsed.error.issues[0]!;
    throw new OpenAiHttpError(
      400,
      "invalid_request_error",
      "invalid_request",
      `${issue.path.join(".") || "body"}: ${issue.message}`,
    );
  }
  const req = parsed.data;
  if (req.model && req.model !== modelId) {
    metrics.requests.inc({ outcome: "invalid" });
    throw new OpenAiHttpError(
      404,
      "invalid_request_error",
      "model_not_found",
      `This server serves ${modelId}, not ${req.model}.`,
    );
  }
  const prompt = toGenerationRequest(req);

  let ticket;
  try {
    ticket = generator.reserve();
  } catch (err) {
    if (!isQueueFullError(err)) throw err;
    metrics.requests.inc({ outcome: "rejected" });
    throw new OpenAiHttpError(429, "requests", "rate_limit_exceeded", err.message, {
      "retry-after": String(err.retryAfterSeconds),
    });
  }

  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const stop = new AbortController();
  // The client hanging up (a stop, a timeout on its side) ends the generation within a token.
  res.on("close", () => {
    if (!res.writableFinished) stop.abort(new Error("client disconnected"));
  });
  const promptTokens = [prompt.system, prompt.question, ...prompt.history.map((t) => t.content)].reduce(
    (n, t) => n + generator.countTokens(t),
    0,
  );
  const sampling = {
    ...(req.temperature != null ? { temperature: req.temperature } : {}),
    ...(req.top_p != null ? { topP: req.top_p } : {}),
    ...(req.top_k != null ? { topK: req.top_k } : {}),
    ...(req.seed != null ? { seed: req.seed } : {}),
    ...((req.max_completion_tokens ?? req.max_tokens) != null
      ? { maxTokens: (req.max_completion_tokens ?? req.max_tokens)! }
      : {}),
  };
  const chunk = (delta: Record<string, string>, finish: string | null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model: modelId,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);

  const started = performance.now();
  let first: number | null = null;
  const streaming = req.stream === true;
  if (streaming) {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    send(chunk({ role: "assistant", content: "" }, null));
  }

  let result: GenerationResult;
  try {
    result = await ticket.run({
      ...prompt,
      passages: [],
      signal: stop.signal,
      sampling,
      onToken: (t) => {
        first ??= performance.now();
        if (streaming) send(chunk({ content: t }, null));
      },
    });
  } catch (err) {
    metrics.requests.inc({ outcome: "failed" });
    const message = (err as Error).message;
    const tooLong = (err as Error).name === "PromptTooLongError";
    if (!streaming)
      throw tooLong
        ? new OpenAiHttpError(400, "invalid_request_error", "context_length_exceeded", message)
        : new OpenAiHttpError(500, "server_error", "generation_failed", message);
    send({
      error: {
        message,
        type: tooLong ? "invalid_request_error" : "server_error",
        code: tooLong ? "context_length_exceeded" : "generation_failed",
      },
    });
    res.end("data: [DONE]\n\n");
    return;
  }

  metrics.tokens.inc(result.tokens);
  metrics.duration.observe((performance.now() - started) / 1000);
  if (first !== null) metrics.firstToken.observe((first - started) / 1000);
  metrics.requests.inc({
    outcome: result.finishReason === "abort" ? "aborted" : result.finishReason === "length" ? "length" : "complete",
  });
  if (result.finishReason === "abort") {
    res.destroy();
    return;
  }
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: result.tokens,
    total_tokens: promptTokens + result.tokens,
  };
  if (streaming) {
    send(chunk({}, finishReasonOf(result)));
    if (req.stream_options?.include_usage)
      send({ id, object: "chat.completion.chunk", created, model: modelId, choices: [], usage });
    res.end("data: [DONE]\n\n");
    return;
  }
  const body = JSON.stringify({
    id,
    object: "chat.completion",
    created,
    model: modelId,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: result.text },
        finish_reason: finishReasonOf(result),
        logprobs: null,
      },
    ],
    usage,
  });
  res.writeHead(200, { "content-type": "application/json" }).end(body);
}
