import "server-only";
import type { ChatEvent } from "./types";

// Server-sent events over a ReadableStream. The stream is the only place that knows whether the
// client is still there, so it owns the abort signal generation listens to: a disconnect (or
// pressing stop, which closes the connection) aborts the answer within a token.

/** Proxies close idle connections; a comment line every so often keeps the stream open while queued. */
const KEEPALIVE_MS = 15_000;

export function encodeEvent(e: ChatEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** A text/event-stream response whose body `produce` writes; `signal` aborts when the client leaves. */
export function eventStreamResponse(
  requestSignal: AbortSignal,
  produce: (write: (text: string) => void, signal: AbortSignal) => Promise<unknown>,
  headers: Record<string, string> = {},
): Response {
  const abort = new AbortController();
  const onRequestAbort = () => abort.abort(requestSignal.reason);
  if (requestSignal.aborted) abort.abort(requestSignal.reason);
  else requestSignal.addEventListener("abort", onRequestAbort, { once: true });
  const encoder = new TextEncoder();
  let open = true;
  let keepalive: ReturnType<typeof setInterval> | undefined;

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (open) controller.enqueue(encoder.encode(text));
      };
      keepalive = setInterval(() => write(": keepalive\n\n"), KEEPALIVE_MS);
      produce(write, abort.signal).finally(() => {
        clearInterval(keepalive);
        requestSignal.removeEventListener("abort", onRequestAbort);
        if (open) {
          open = false;
          controller.close();
        }
      });
    },
    cancel(reason) {
      open = false;
      clearInterval(keepalive);
      abort.abort(reason ?? new Error("The client went away."));
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
      ...headers,
    },
  });
}

/** The chat stream: named events (meta, status, token, final, error). */
export function sseResponse(
  requestSignal: AbortSignal,
  produce: (emit: (e: ChatEvent) => void, signal: AbortSignal) => Promise<unknown>,
): Response {
  return eventStreamResponse(requestSignal, (write, signal) => produce((e) => write(encodeEvent(e)), signal));
}
