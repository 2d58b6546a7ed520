import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { log } from "@/lib/log";
import type { SamplingSettings } from "./generator";
import { loadLlamaGenerator, type LlamaGenerator } from "./llama-generator";
import { OpenAiHttpError, serveChatCompletion } from "./model-server-chat";
import { createModelServerMetrics } from "./model-server-metrics";

// `cli model-server`: a small OpenAI-compatible server on node-llama-cpp for a GPU node. One
// model, one context with `parallel` sequences and the bounded queue (the in-process generator's
// own), GET /v1/models with the file's SHA-256 and GGUF metadata, POST /v1/chat/completions
// (streamed or not), GET /metrics for Prometheus and GET /health. With a token every route but
// /health requires `Authorization: Bearer <token>`.

export interface ModelServerOptions {
  modelPath: string;
  host: string;
  /** 0: any free port (tests). */
  port: number;
  parallel: number;
  maxQueue: number;
  /** Required bearer token; null: none (loopback or a closed network only). */
  token: string | null;
  contextSize: number;
  threads?: number;
  gpu: "auto" | "off";
  /** Defaults for requests that do not say; maxTokens is also the most one request may ask for. */
  sampling: SamplingSettings;
}

export interface RunningModelServer {
  /** http://host:port/v1 */
  url: string;
  port: number;
  generator: LlamaGenerator;
  close(): Promise<void>;
}

/** Request bodies above this are refused: a prompt that large cannot fit any context anyway. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new OpenAiHttpError(413, "invalid_request_error", "request_too_large", "The request body is too large.");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new OpenAiHttpError(400, "invalid_request_error", "invalid_json", "The request body is not valid JSON.");
  }
}

/** Constant-time comparison of digests, so the token cannot be guessed byte by byte from timings. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1] ?? "";
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return given.length > 0 && timingSafeEqual(a, b);
}

export async function startModelServer(opts: ModelServerOptions): Promise<RunningModelServer> {
  const generator = await loadLlamaGenerator({
    modelPath: opts.modelPath,
    parallel: opts.parallel,
    maxQueue: opts.maxQueue,
    contextSize: opts.contextSize,
    threads: opts.threads,
    gpu: opts.gpu,
    sampling: opts.sampling,
  });
  const identity = generator.identity();
  const modelId = generator.file.fileName;
  const created = Math.floor((await stat(generator.file.path)).mtimeMs / 1000);
  const metrics = createModelServerMetrics(generator);
  const info = generator.ggufInfo;
  const modelEntry = {
    id: modelId,
    object: "model",
    created,
    owned_by: "knowledge-qa",
    // llama.cpp's server puts its facts in `meta` too; sha256 is what the app records with each answer.
    meta: {
      sha256: identity.modelSha256,
      file: identity.modelFile,
      bytes: identity.modelBytes,
      architecture: identity.architecture,
      quantization: identity.quantization,
      name: info.modelName,
      n_params: info.parameterCount,
      n_ctx_train: info.trainContextSize,
      n_ctx: identity.contextSize,
      parallel: opts.parallel,
      device: identity.gpu ?? "cpu",
    },
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://model-server");
    if (req.method === "GET" && url.pathname === "/health") {
      sendJson(res, 200, { status: "ok", model: modelId, ...generator.status() });
      return;
    }
    if (opts.token && !tokenMatches(req.headers.authorization, opts.token))
      throw new OpenAiHttpError(401, "invalid_request_error", "invalid_api_key", "A valid bearer token is required.", {
        "www-authenticate": "Bearer",
      });
    if (req.method === "GET" && (url.pathname === "/v1/models" || url.pathname === `/v1/models/${modelId}`)) {
      sendJson(res, 200, url.pathname === "/v1/models" ? { object: "list", data: [modelEntry] } : modelEntry);
      return;
    }
    if (req.method === "GET" && url.pathname === "/metrics") {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
      return;
    }
    if (url.pathname === "/v1/chat/completions") {
      if (req.method !== "POST")
        throw new OpenAiHttpError(405, "invalid_request_error", "method_not_allowed", "Use POST.", { allow: "POST" });
      await serveChatCompletion({ generator, modelId, metrics }, await readJson(req), res);
      return;
    }
    throw new OpenAiHttpError(404, "invalid_request_error", "not_found", `No route ${req.method} ${url.pathname}.`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const e =
        err instanceof OpenAiHttpError
          ? err
          : new OpenAiHttpError(500, "server_error", "internal", "The model server failed; see its log.");
      if (!(err instanceof OpenAiHttpError)) log.error("model-server request failed", { err });
      if (res.headersSent) res.destroy();
      else sendJson(res, e.status, e.body(), e.headers);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  }).catch(async (err: unknown) => {
    await generator.close();
    throw new Error(`The model server cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message}`, {
      cause: err,
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shownHost}:${port}/v1`,
    port,
    generator,
    async close() {
      // Running generations are aborted so their connections end and close() does not wait on them.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await generator.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
