import { EventSourceParserStream } from "eventsource-parser/stream";
import type { ChatEvent } from "./types";

// Reads POST /api/chat in the browser (and in tests). An error answered before the stream starts
// (401, 403, 404, 429 …) is thrown as ChatRequestError with the server's message and Retry-After.

export class ChatRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | null;
  constructor(status: number, code: string, message: string, retryAfterSeconds: number | null) {
    super(message);
    this.name = "ChatRequestError";
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ChatRequest {
  /** Left out to regenerate. */
  message?: string;
  conversationId?: string;
  collectionIds?: string[];
  /** yyyy-mm-dd or an ISO date-time: answer from the versions in effect then. */
  asOf?: string;
  /** The latest answer's id: answer its question again, keeping this one as an earlier answer. */
  regenerate?: string;
  /** The latest question's id: replace it with `message`, keeping it as an earlier wording. */
  editOf?: string;
}

export async function* streamChat(
  request: ChatRequest,
  options: { signal?: AbortSignal; baseUrl?: string; headers?: Record<string, string>; fetch?: typeof fetch } = {},
): AsyncGenerator<ChatEvent> {
  const doFetch = options.fetch ?? fetch;
  const res = await doFetch(`${options.baseUrl ?? ""}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...options.headers },
    body: JSON.stringify(request),
    signal: options.signal,
  });
  if (!res.ok || !res.body) {
    let code = "http_error";
    let message = `The request failed (${res.status}).`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch (err) {
      message = `${message} ${(err as Error).message}`;
    }
    const retry = Number(res.headers.get("retry-after"));
    throw new ChatRequestError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (!value.event) continue;
      yield { event: value.event, data: JSON.parse(value.data) } as ChatEvent;
    }
  } finally {
    reader.releaseLock();
  }
}
