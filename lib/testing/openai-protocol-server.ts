import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// A second OpenAI-compatible implementation for tests, written to OpenAI's API reference and
// shaped like vLLM's answers (a /v1/models entry with `max_model_len` and no hash, chunks with an
// empty first delta, usage in a last chunk with no choices). It plays back what a test scripts,
// including what a real server does under load or failure (429 with Retry-After, 503, a stream
// that stalls, an error event mid-stream), and records each request and whether the client hung up.

export type ProtocolBehaviour =
  | { kind: "answer"; pieces: string[]; finishReason?: "stop" | "length"; delayMs?: number }
  | { kind: "status"; status: number; headers?: Record<string, string>; body: unknown }
  | { kind: "stall-before-headers" }
  | { kind: "stall-after"; pieces: string[] }
  | { kind: "error-event"; pieces: string[]; message: string };

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown> | null;
  /** Set when the client closed the connection before the answer ended. */
  clientClosedEarly: boolean;
}

export interface ProtocolServer {
  url: string;
  requests: RecordedRequest[];
  /** What the next chat completions get; the last one stays. */
  script(...behaviours: ProtocolBehaviour[]): void;
  close(): Promise<void>;
}

const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startProtocolServer(
  opts: { token?: string; maxModelLen?: number } = {},
): Promise<ProtocolServer> {
  const requests: RecordedRequest[] = [];
  let queue: ProtocolBehaviour[] = [{ kind: "answer", pieces: ["Hello", " world", "."] }];
  const next = () => (queue.length > 1 ? queue.shift()! : queue[0]!);
  const sockets = new Set<import("node:net").Socket>();

  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null,
      clientClosedEarly: false,
    };
    requests.push(record);
    res.on("close", () => {
      if (!res.writableFinished) record.clientClosedEarly = true;
    });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Unauthorized", type: "invalid_request_error", code: 401 } }));
      return;
    }
    if (req.method === "GET" && req.url === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          data: [
            {
              id: MODEL,
              object: "model",
              created: 1_760_000_000,
              owned_by: "vllm",
              root: MODEL,
              parent: null,
              max_model_len: opts.maxModelLen ?? 4096,
              permission: [],
            },
          ],
        }),
      );
      return;
    }
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404).end();
      return;
    }
    const b = next();
    if (b.kind === "status") {
      res.writeHead(b.status, { "content-type": "application/json", ...b.headers });
      res.end(JSON.stringify(b.body));
      return;
    }
    if (b.kind === "stall-before-headers") return;
    res.writeHead(200, { "content-type": "text/event-stream" });
    const id = "chatcmpl-recorded";
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: "assistant", content: "" }, null));
    const pieces = b.pieces;
    for (const p of pieces) {
      if (res.destroyed) return;
      res.write(chunk({ content: p }, null));
      if (b.kind === "answer" && b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    }
    if (b.kind === "stall-after") return;
    if (b.kind === "error-event") {
      res.end(`data: ${JSON.stringify({ error: { message: b.message, type: "internal_error", code: 500 } })}\n\n`);
      return;
    }
    res.write(chunk({}, b.finishReason ?? "stop"));
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: MODEL, choices: [], usage: { prompt_tokens: 10, completion_tokens: pieces.length, total_tokens: 10 + pieces.length } })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script(...behaviours) {
      queue = behaviours;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const PROTOCOL_SERVER_MODEL = MODEL;
