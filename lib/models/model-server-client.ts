import "server-only";
import { readFile } from "node:fs/promises";
import type { Env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// Talking to an OpenAI-compatible inference server: its /v1/models list, read leniently because
// each implementation adds its own fields (llama.cpp's server and ours a `meta` object, vLLM
// `max_model_len`), and the mapping of its HTTP failures to answers a user can act on.

/** What one entry of GET /v1/models says about a model. */
export interface ServedModel {
  id: string;
  /** The weights' SHA-256 when the server reports it (our model-server: meta.sha256). */
  sha256: string | null;
  /** Tokens per sequence the server serves, when it says (meta.n_ctx, max_model_len, meta.n_ctx_train). */
  contextSize: number | null;
  file: string | null;
  bytes: number | null;
  architecture: string | null;
  quantization: string | null;
  /** "cuda", "vulkan", "metal" or "cpu", when the server says where it runs. */
  device: string | null;
}

export interface ModelServerTarget {
  /** The /v1 base, without a trailing slash. */
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
}

/** The /v1 base without a trailing slash. */
export function normalizeBaseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Scheme, host, port and path: credentials and query parameters never reach a record or a page. */
export function describeServer(baseUrl: string): string {
  if (!URL.canParse(baseUrl)) return "(unparseable URL)";
  const u = new URL(baseUrl);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

/** The bearer token from MODEL_SERVER_API_KEY_FILE: the file's text, trimmed; never empty. */
export async function readApiKeyFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`MODEL_SERVER_API_KEY_FILE: ${file} cannot be read (${code ?? (err as Error).message}).`, {
      cause: err,
    });
  }
  const key = text.trim();
  if (!key) throw new Error(`MODEL_SERVER_API_KEY_FILE: ${file} is empty.`);
  if (/\s/.test(key)) throw new Error(`MODEL_SERVER_API_KEY_FILE: ${file} must hold one token on one line.`);
  return key;
}

export function authHeaders(apiKey: string | null): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

function text(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

function positiveInt(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : null;
}

function sha(v: unknown): string | null {
  return typeof v === "string" && /^[0-9a-fA-F]{64}$/.test(v) ? v.toLowerCase() : null;
}

export function parseModelList(body: unknown): ServedModel[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new Error("its /v1/models answer has no `data` list");
  return data.flatMap((raw): ServedModel[] => {
    const entry = raw as Record<string, unknown> | null;
    const id = text(entry?.id);
    if (!entry || !id) return [];
    const meta = (typeof entry.meta === "object" && entry.meta !== null ? entry.meta : {}) as Record<string, unknown>;
    return [
      {
        id,
        sha256: sha(entry.sha256) ?? sha(meta.sha256),
        contextSize: positiveInt(meta.n_ctx) ?? positiveInt(entry.max_model_len) ?? positiveInt(meta.n_ctx_train),
        file: text(meta.file),
        bytes: positiveInt(meta.bytes) ?? positiveInt(meta.size),
        architecture: text(meta.architecture),
        quantization: text(meta.quantization),
        device: text(meta.device),
      },
    ];
  });
}

/** Seconds from a Retry-After header (seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Math.max(1, Number(header.trim()));
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(1, Math.ceil((at - now) / 1000));
}

/** The message an OpenAI-shaped error body carries, cut to a readable length. */
async function upstreamMessage(res: Response): Promise<string | null> {
  const body = await res.text().catch((err: unknown) => `(the error body could not be read: ${String(err)})`);
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m =
      typeof parsed.error === "string"
        ? parsed.error
        : typeof parsed.error?.message === "string"
          ? parsed.error.message
          : typeof parsed.message === "string"
            ? parsed.message
            : null;
    return m ? m.slice(0, 300) : null;
  } catch {
    // Not JSON (a proxy's HTML page): its first line says enough.
    return body.trim().split("\n")[0]?.slice(0, 200) || null;
  }
}

/**
 * An error answer from the model server as an error the asker can act on: busy (429, with when
 * to retry), unavailable (503 and 5xx), refused credentials or a prompt it rejects.
 */
export async function upstreamError(res: Response, server: string): Promise<AppError> {
  const detail = await upstreamMessage(res);
  const suffix = detail ? ` It said: ${detail}` : "";
  if (res.status === 429) {
    const retry = retryAfterSeconds(res.headers.get("retry-after")) ?? 5;
    return new AppError(
      "rate_limited",
      `The model server is busy with other answers. Try again in ${retry} s.${suffix}`,
      { headers: { "retry-after": String(retry) }, details: { upstreamStatus: 429, retryAfterSeconds: retry } },
    );
  }
  if (res.status === 401 || res.status === 403) {
    return new AppError(
      "unavailable",
      `The model server at ${server} refused this server's credentials (HTTP ${res.status}). An administrator must check MODEL_SERVER_API_KEY_FILE.`,
      { expose: true, details: { upstreamStatus: res.status } },
    );
  }
  if (res.status === 400 || res.status === 404 || res.status === 413 || res.status === 422) {
    return new AppError(
      "unavailable",
      `The model server at ${server} refused the request (HTTP ${res.status}).${suffix}`,
      { expose: true, details: { upstreamStatus: res.status } },
    );
  }
  return new AppError(
    "unavailable",
    `The model server at ${server} is unavailable (HTTP ${res.status}). Try again later.${suffix}`,
    { expose: true, details: { upstreamStatus: res.status } },
  );
}

/** A fetch failure (refused connection, unknown host, timeout) as an answer naming the server. */
export function unreachableError(err: unknown, server: string, timeoutMs: number): AppError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError")
    return new AppError("unavailable", `The model server at ${server} did not answer within ${timeoutMs / 1000} s.`, {
      expose: true,
      cause: err,
    });
  const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new AppError("unavailable", `The model server at ${server} cannot be reached (${why}).`, {
    expose: true,
    cause: err,
  });
}

/** GET /v1/models; throws an AppError naming the server when it cannot be read. */
export async function listServedModels(target: ModelServerTarget): Promise<ServedModel[]> {
  const server = describeServer(target.baseUrl);
  let res: Response;
  try {
    res = await fetch(`${target.baseUrl}/models`, {
      headers: { accept: "application/json", ...authHeaders(target.apiKey) },
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (err) {
    throw unreachableError(err, server, target.timeoutMs);
  }
  if (!res.ok) throw await upstreamError(res, server);
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new AppError("unavailable", `The model server at ${server} sent a /v1/models answer that is not JSON.`, {
      expose: true,
      cause: err,
    });
  }
  try {
    return parseModelList(body);
  } catch (err) {
    throw new AppError(
      "unavailable",
      `The model server at ${server} is not OpenAI-compatible: ${(err as Error).message}.`,
      {
        expose: true,
        cause: err,
      },
    );
  }
}

/** Picks the configured model from the list, or the only one; the error names what is served. */
export function chooseModel(models: ServedModel[], wanted: string | undefined, server: string): ServedModel {
  if (wanted) {
    const found = models.find((m) => m.id === wanted);
    if (found) return found;
    throw new Error(
      `MODEL_SERVER_MODEL=${wanted} is not served by ${server}; it serves: ${models.map((m) => m.id).join(", ") || "nothing"}.`,
    );
  }
  if (models.length === 1) return models[0]!;
  throw new Error(
    models.length === 0
      ? `The model server at ${server} serves no model.`
      : `The model server at ${server} serves ${models.length} models (${models.map((m) => m.id).join(", ")}); set MODEL_SERVER_MODEL to one of them.`,
  );
}

export interface ModelServerProbe {
  server: string;
  reachable: boolean;
  latencyMs: number | null;
  /** The configured (or only) model, when the server answers and serves it. */
  model: ServedModel | null;
  /** Why it does not answer, or why the model is not usable. */
  error: string | null;
}

/** Whether the server answers now and serves the model: for the health endpoint and the admin overview. */
export async function probeModelServer(
  target: ModelServerTarget,
  wanted: string | undefined,
): Promise<ModelServerProbe> {
  const server = describeServer(target.baseUrl);
  const started = performance.now();
  try {
    const models = await listServedModels(target);
    const latencyMs = Math.round(performance.now() - started);
    try {
      return { server, reachable: true, latencyMs, model: chooseModel(models, wanted, server), error: null };
    } catch (err) {
      return { server, reachable: true, latencyMs, model: null, error: (err as Error).message };
    }
  } catch (err) {
    return { server, reachable: false, latencyMs: null, model: null, error: (err as Error).message };
  }
}

/** The server the configuration names, with its token read from MODEL_SERVER_API_KEY_FILE; null when none is configured. */
export async function modelServerTargetFromEnv(
  e: Pick<Env, "MODEL_SERVER_URL" | "MODEL_SERVER_API_KEY_FILE" | "MODEL_SERVER_TIMEOUT_SECONDS">,
): Promise<ModelServerTarget | null> {
  if (!e.MODEL_SERVER_URL) return null;
  return {
    baseUrl: normalizeBaseUrl(e.MODEL_SERVER_URL),
    apiKey: e.MODEL_SERVER_API_KEY_FILE ? await readApiKeyFile(e.MODEL_SERVER_API_KEY_FILE) : null,
    timeoutMs: e.MODEL_SERVER_TIMEOUT_SECONDS * 1000,
  };
}

/** Health checks wait at most this long: a monitor must not hang on a stalled model server. */
export const PROBE_TIMEOUT_MS = 3000;

/** probeModelServer for the configured server; an unreadable token file is reported, not thrown. */
export async function probeConfiguredModelServer(
  e: Pick<
    Env,
    "MODEL_SERVER_URL" | "MODEL_SERVER_MODEL" | "MODEL_SERVER_API_KEY_FILE" | "MODEL_SERVER_TIMEOUT_SECONDS"
  >,
): Promise<ModelServerProbe> {
  const server = describeServer(e.MODEL_SERVER_URL ?? "");
  let target: ModelServerTarget | null;
  try {
    target = await modelServerTargetFromEnv(e);
  } catch (err) {
    return { server, reachable: false, latencyMs: null, model: null, error: (err as Error).message };
  }
  if (!target) return { server, reachable: false, latencyMs: null, model: null, error: "MODEL_SERVER_URL is not set." };
  return probeModelServer({ ...target, timeoutMs: Math.min(target.timeoutMs, PROBE_TIMEOUT_MS) }, e.MODEL_SERVER_MODEL);
}
