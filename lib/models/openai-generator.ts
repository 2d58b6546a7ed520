import "server-only";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { AppError } from "@/lib/errors";
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
import {
  authHeaders,
  chooseModel,
  describeServer,
  listServedModels,
  normalizeBaseUrl,
  unreachableError,
  upstreamError,
  type ServedModel,
} from "./model-server-client";

// Answers from an OpenAI-compatible inference server inside the perimeter (vLLM, llama.cpp's
// server, TGI, Ollama, or `cli model-server`), streamed over POST /v1/chat/completions. It keeps
// the in-process generator's contract: the same bounded queue in front (MODEL_PARALLEL answers
// at once per app process, MODEL_QUEUE_MAX waiting), a stop aborts the upstream request so the
// server stops generating, and the server's own refusals become answers that say what happened.

export interface OpenAiGeneratorOptions {
  /** The server's /v1 base. */
  baseUrl: string;
  /** The model id to ask for; when unset the server must serve exactly one. */
  model?: string;
  apiKey: string | null;
  /** The weights' SHA-256 the operator declares; must match what the server reports, if it reports one. */
  declaredSha256?: string | null;
  parallel: number;
  maxQueue: number;
  /** Cap on the context per answer; the server's own, when it reports one, wins when smaller. */
  contextSize: number;
  sampling: SamplingSettings;
  /** Longest wait for the server's answer to start, and between two streamed pieces. */
  timeoutMs: number;
}

export interface OpenAiGenerator extends Generator {
  readonly kind: "openai";
  readonly served: ServedModel;
}

/** Tokens the chat template adds around system, history and question (as for the in-process model). */
function templateMargin(contextSize: number): number {
  return Math.max(64, Math.ceil(contextSize * 0.03));
}

/**
 * No tokenizer runs here, so prompts are measured by a deliberately generous estimate (one token
 * per three characters; English averages about four) to keep what is sent inside the server's context.
 */
export function estimateServerTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/** Reads /v1/models, checks the model and its hash, and returns a generator for it. */
export async function connectOpenAiGenerator(opts: OpenAiGeneratorOptions): Promise<OpenAiGenerator> {
  const baseUrl = normalizeBaseUrl(opts.baseUrl);
  const server = describeServer(baseUrl);
  const models = await listServedModels({ baseUrl, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs });
  const served = chooseModel(models, opts.model, server);
  const declared = opts.declaredSha256?.toLowerCase() ?? null;
  if (declared && served.sha256 && declared !== served.sha256) {
    throw new Error(
      `MODEL_SERVER_SHA256 declares ${declared}, but ${server} reports ${served.sha256} for ${served.id}: ` +
        `the server runs other weights than the ones declared.`,
    );
  }
  const sha256 = served.sha256 ?? declared;
  const contextSize = Math.min(opts.contextSize, served.contextSize ?? opts.contextSize);
  const maxTokens = opts.sampling.maxTokens;
  const budget = contextSize - maxTokens - templateMargin(contextSize);
  if (budget < 256) {
    throw new Error(
      `${served.id} at ${server} serves a context of ${contextSize} tokens; after ${maxTokens} reserved for the answer ` +
        `too little is left for the prompt. Lower MODEL_MAX_TOKENS or use a model with a longer context.`,
    );
  }

  const identity: GeneratorIdentity = Object.freeze({
    kind: "openai",
    modelFile: served.file ?? served.id,
    modelBytes: served.bytes,
    modelSha256: sha256,
    architecture: served.architecture,
    quantization: served.quantization,
    contextSize,
    gpu: served.device && served.device !== "cpu" ? served.device : null,
    threads: null,
    sampling: Object.freeze({ ...opts.sampling }),
    server,
    modelId: served.id,
    ...(sha256 ? { sha256Source: served.sha256 ? ("server" as const) : ("declared" as const) } : {}),
  });

  const queue = new GenerationQueue({ parallel: opts.parallel, maxQueue: opts.maxQueue });

  function body(req: GenerationRequest) {
    const s = { ...opts.sampling, ...req.sampling };
    return {
      model: served.id,
      messages: [
        { role: "system", content: req.system },
        ...req.history.map((t) => ({ role: t.role, content: t.content })),
        { role: "user", content: req.question },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: Math.min(s.maxTokens, maxTokens),
      temperature: s.temperature,
      top_p: s.topP,
      // Not in OpenAI's own API, but vLLM, llama.cpp's server, TGI and Ollama honour it.
      ...(s.topK > 0 ? { top_k: s.topK } : {}),
      ...(s.seed !== null ? { seed: s.seed } : {}),
    };
  }

  async function generate(req: GenerationRequest, signal: AbortSignal, startedAt: number) {
    // One controller for the whole request: the asker's stop, shutdown and the idle timer all abort it,
    // and aborting the fetch closes the connection, which is how an OpenAI-compatible server learns to stop.
    const upstream = new AbortController();
    const onStop = () => upstream.abort(signal.reason);
    signal.addEventListener("abort", onStop, { once: true });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        upstream.abort(new Error("idle timeout"));
      }, opts.timeoutMs);
    };

    let streamed = "";
    let pieces = 0;
    let usageTokens: number | null = null;
    let finish: GenerationResult["finishReason"] | null = null;
    let firstTokenAt: number | null = null;
    let failure: AppError | null = null;
    const timings = (queueMs: number) => ({
      queueMs,
      firstTokenMs: firstTokenAt === null ? null : firstTokenAt - startedAt,
      totalMs: performance.now() - startedAt,
    });
    const result = () => ({ text: streamed, finishReason: finish ?? "stop", tokens: usageTokens ?? pieces, timings });
    const stopped = () => ({ ...result(), finishReason: "abort" as const });
    const timeout = () =>
      new AppError(
        "unavailable",
        `The model server at ${server} sent nothing for ${opts.timeoutMs / 1000} s; the answer was stopped.`,
        { expose: true },
      );

    try {
      arm();
      let res: Response;
      try {
        res = await fetch(`${baseUrl}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "text/event-stream", ...authHeaders(opts.apiKey) },
          body: JSON.stringify(body(req)),
          signal: upstream.signal,
        });
      } catch (err) {
        if (signal.aborted) return stopped();
        if (timedOut) throw timeout();
        throw unreachableError(err, server, opts.timeoutMs);
      }
      if (!res.ok) throw await upstreamError(res, server);
      if (!res.body)
        throw new AppError("unavailable", `The model server at ${server} sent an empty answer.`, { expose: true });

      const parser = createParser({
        onEvent(event: EventSourceMessage) {
          if (failure || event.data === "[DONE]") return;
          let chunk: {
            choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
            usage?: { completion_tokens?: unknown } | null;
            error?: { message?: unknown } | string;
          };
          try {
            chunk = JSON.parse(event.data);
          } catch {
            failure = new AppError(
              "unavailable",
              `The model server at ${server} sent a stream piece that is not JSON.`,
              {
                expose: true,
              },
            );
            return;
          }
          if (chunk.error) {
            const m = typeof chunk.error === "string" ? chunk.error : String(chunk.error.message ?? "unknown error");
            failure = new AppError(
              "unavailable",
              `The model server at ${server} stopped with an error: ${m.slice(0, 300)}`,
              {
                expose: true,
              },
            );
            return;
          }
          const choice = chunk.choices?.[0];
          const content = choice?.delta?.content;
          if (typeof content === "string" && content.length > 0) {
            firstTokenAt ??= performance.now();
            streamed += content;
            pieces++;
            req.onToken?.(content);
          }
          if (choice?.finish_reason === "length") finish = "length";
          else if (typeof choice?.finish_reason === "string") finish = "stop";
          if (typeof chunk.usage?.completion_tokens === "number") usageTokens = chunk.usage.completion_tokens;
        },
      });
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          arm();
          parser.feed(decoder.decode(value, { stream: true }));
          if (failure) {
            upstream.abort(failure);
            throw failure;
          }
        }
      } catch (err) {
        if (err === failure) throw err;
        if (signal.aborted) return stopped();
        if (timedOut) throw timeout();
        throw unreachableError(err, server, opts.timeoutMs);
      }
      if (signal.aborted) return stopped();
      if (finish === null && streamed === "")
        throw new AppError("unavailable", `The model server at ${server} closed the stream without an answer.`, {
          expose: true,
        });
      return result();
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onStop);
    }
  }

  const generation = queuedGeneration(queue, (_slot, req, signal, startedAt) => generate(req, signal, startedAt));
  const generator: OpenAiGenerator = {
    kind: "openai",
    served,
    identity: () => identity,
    promptBudget: () => budget,
    countTokens: estimateServerTokens,
    status(): GeneratorStatus {
      return { kind: "openai", ...queue.status() };
    },
    reserve: () => generation.reserve(),
    async close() {
      await generation.close();
    },
  };
  return generator;
}
