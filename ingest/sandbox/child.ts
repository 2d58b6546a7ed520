// A parser process: reads one document at a time for the server (ingest/sandbox/pool.ts), which
// started it with a heap limit and watches its memory and time from outside. Everything a hostile
// file can make a parser do (allocate, loop, crash native code) happens here, not in the server.
// It holds one OCR engine for all its documents and exits when the server goes away.

import { createOcrEngine } from "../ocr/engine";
import { parseDocument } from "../parse";
import { ParseError } from "@/lib/documents/parsed";
import type { ParseRequest, ParserMessage } from "./protocol";

const engine = createOcrEngine();

function send(message: ParserMessage): void {
  process.send?.(message);
}

async function handle(request: ParseRequest): Promise<void> {
  const { id } = request;
  try {
    const document = await parseDocument(request.bytes, {
      filename: request.filename,
      maxDecompressedBytes: request.maxDecompressedBytes,
      ocr: {
        engine,
        pageTimeoutMs: request.ocr.pageTimeoutMs,
        maxImagePixels: request.ocr.maxImagePixels,
        onPage: (page, total) => send({ type: "progress", id, page, total }),
      },
    });
    send({ type: "result", id, document });
  } catch (err) {
    if (err instanceof ParseError) send({ type: "parse_error", id, code: err.code, message: err.message });
    else send({ type: "failure", id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}

process.on("message", (message: ParseRequest) => {
  if (message.type === "parse") void handle(message);
});
// The server is gone (or let this process go): nothing is left to do.
process.on("disconnect", () => {
  void engine.close().finally(() => process.exit(0));
});
send({ type: "ready" });
