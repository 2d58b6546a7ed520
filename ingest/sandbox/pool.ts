import "server-only";
import type { ParsedDocument } from "@/lib/documents/parsed";
import { abortReason, Sandbox, type ParseJob, type ParserLimits } from "./sandbox";

// Every document is parsed in a separate process with limits, so that no file can take the server
// down: a parser process whose resident memory passes the limit, or that runs past the time
// limit, is killed, and that document fails with a message naming the limit; the server and the
// other documents carry on. Processes are kept and reused (one per concurrent ingestion job), so
// the start-up cost (Node, pdf.js, the OCR model) is paid once, not per file. Why processes and
// not worker threads: docs/adr/0011-parser-sandbox-and-ocr.md.

export type { ParseJob, ParserLimits } from "./sandbox";

export interface DocumentParser {
  parse(bytes: Uint8Array, job: ParseJob): Promise<ParsedDocument>;
  /** Stops every parser process; parses in flight reject. */
  close(): Promise<void>;
}

export function createParserPool(options: { size: number; limits: ParserLimits }): DocumentParser {
  const { limits } = options;
  const size = Math.max(1, options.size);
  const idle: Sandbox[] = [];
  const all = new Set<Sandbox>();
  const waiting: { resolve: (s: Sandbox) => void; reject: (e: Error) => void }[] = [];
  let closed = false;

  const release = (sandbox: Sandbox) => {
    if (closed || !sandbox.healthy) {
      all.delete(sandbox);
      void sandbox.kill();
      const next = waiting.shift();
      if (!next) return;
      try {
        next.resolve(spawn());
      } catch (err) {
        next.reject(err as Error);
      }
      return;
    }
    const next = waiting.shift();
    if (next) return next.resolve(sandbox);
    idle.push(sandbox);
    sandbox.idleSince(() => {
      const i = idle.indexOf(sandbox);
      if (i >= 0) idle.splice(i, 1);
      all.delete(sandbox);
      void sandbox.kill();
    });
  };

  const spawn = () => {
    const sandbox = new Sandbox(limits);
    all.add(sandbox);
    return sandbox;
  };

  const acquire = (signal: AbortSignal | undefined): Promise<Sandbox> => {
    if (closed) return Promise.reject(new Error("The parser pool is closed."));
    const ready = idle.pop();
    if (ready) {
      ready.busyAgain();
      return Promise.resolve(ready);
    }
    if (all.size < size) return Promise.resolve(spawn());
    return new Promise<Sandbox>((resolve, reject) => {
      const waiter = {
        resolve: (s: Sandbox) => {
          signal?.removeEventListener("abort", onAbort);
          s.busyAgain();
          resolve(s);
        },
        reject,
      };
      const onAbort = () => {
        const i = waiting.indexOf(waiter);
        if (i >= 0) waiting.splice(i, 1);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiting.push(waiter);
    });
  };

  return {
    async parse(bytes, job) {
      if (job.signal?.aborted) throw abortReason(job.signal);
      const sandbox = await acquire(job.signal);
      try {
        return await sandbox.run(bytes, job);
      } finally {
        release(sandbox);
      }
    },
    async close() {
      closed = true;
      for (const w of waiting.splice(0)) w.reject(new Error("The parser pool is closed."));
      idle.length = 0;
      await Promise.all([...all].map((s) => s.kill()));
      all.clear();
    },
  };
}
