import "server-only";
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import path from "node:path";
import { log } from "@/lib/log";
import { ParseError, type ParsedDocument } from "@/lib/documents/parsed";
import { residentBytes } from "./process-memory";
import type { ParseRequest, ParserMessage } from "./protocol";

// One parser process with its limits (see pool.ts for why documents are parsed out of process):
// a process whose resident memory passes the limit, or that runs past the time limit, is killed,
// and its document fails with a message naming the limit.

export interface ParserLimits {
  /** Wall-clock time one document may take (PARSER_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Resident memory a parser process may use (PARSER_MAX_MEMORY_MB). */
  memoryBytes: number;
  /** Wall-clock time one page may take in OCR (OCR_PAGE_TIMEOUT_SECONDS). */
  ocrPageTimeoutMs: number;
  /** Largest picture read with OCR, in pixels (OCR_MAX_IMAGE_MEGAPIXELS). */
  maxImagePixels: number;
}

export interface ParseJob {
  filename: string;
  maxDecompressedBytes: number;
  /** Stops the parse (the job was cancelled or taken over); the promise rejects with the reason. */
  signal?: AbortSignal;
  /** Called as pages are read with OCR. */
  onProgress?: (page: number, total: number) => void;
}

/** How often a busy parser's memory is looked at; how far it can overshoot is what it allocates in this time. */
const MEMORY_POLL_MS = 50;
/** An idle parser process gives its memory back after this long. */
const IDLE_EXIT_MS = 60_000;
/** Starting Node with the parsers loaded takes about a second; this is for a machine under load. */
const START_TIMEOUT_MS = 60_000;

const seconds = (ms: number) => Math.round(ms / 1000);
const megabytes = (bytes: number) => Math.round(bytes / 1024 / 1024);

export function memoryLimitError(limits: ParserLimits): ParseError {
  return new ParseError(
    "memory_limit",
    `Reading the file needed more than the parser's memory limit of ${megabytes(limits.memoryBytes)} MB (PARSER_MAX_MEMORY_MB); it was stopped and the document was not ingested.`,
  );
}

export function timeLimitError(limits: ParserLimits): ParseError {
  return new ParseError(
    "time_limit",
    `Reading the file took longer than the parser's time limit of ${seconds(limits.timeoutMs)} s (PARSER_TIMEOUT_SECONDS); it was stopped and the document was not ingested.`,
  );
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("The parse was cancelled.");
}

/** One parser process. Runs one document at a time. */
export class Sandbox {
  private readonly child: ChildProcess;
  private readonly started: Promise<void>;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private stderr = "";
  private exited: Promise<void>;
  /** False once the process died, was killed, or grew so large it should not be reused. */
  healthy = true;

  constructor(private readonly limits: ParserLimits) {
    // Resolved from the project root, like the embedder's worker: the file is not part of the
    // Next.js bundle, and every entry point (npm start, npm run cli, the tests, the release's
    // launcher) runs from there. (Not for the bundler to follow, either: it would try to bundle
    // the child as a module.) The offline release ships it compiled to plain JavaScript and has
    // no tsx; from source it is TypeScript run through tsx, as the CLI is.
    const folder = path.join(/* turbopackIgnore: true */ process.cwd(), "ingest", "sandbox");
    const compiled = path.join(folder, "child.mjs");
    const source = path.join(folder, "child.ts");
    const entry = existsSync(compiled) ? compiled : source;
    if (!existsSync(entry)) {
      throw new Error(
        `The parser entry point is missing at ${source}: start the server and the CLI from the project folder.`,
      );
    }
    const heap = `--max-old-space-size=${megabytes(this.limits.memoryBytes)}`;
    this.child = fork(/* turbopackIgnore: true */ entry, [], {
      // The heap limit makes V8 stop at the limit even between two looks at the resident memory.
      execArgv: entry === compiled ? [heap] : ["--import", "tsx", heap],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    this.child.unref();
    this.child.channel?.unref();
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (chunk: string) => {
      // The end of what it printed, to explain a crash; Leptonica and pdf.js are chatty.
      this.stderr = (this.stderr + chunk).slice(-4096);
    });
    // A pipe is a socket: unreferenced too, so a CLI that is done can exit without stopping the pool.
    (this.child.stderr as Socket | null)?.unref();
    this.exited = new Promise((resolve) => {
      const gone = () => {
        this.healthy = false;
        resolve();
      };
      this.child.once("exit", gone);
      // A process that could not be started at all never exits.
      this.child.once("error", gone);
    });
    this.started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`The parser process did not start within ${seconds(START_TIMEOUT_MS)} s.`));
        void this.kill();
      }, START_TIMEOUT_MS);
      const onMessage = (m: ParserMessage) => {
        if (m.type !== "ready") return;
        clearTimeout(timer);
        this.child.off("message", onMessage);
        resolve();
      };
      this.child.on("message", onMessage);
      this.child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`The parser process exited while starting (${signal ?? `code ${code}`}): ${this.lastWords()}`),
        );
      });
      this.child.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    // A start-up failure is reported to the job that is waiting for it.
    this.started.catch(() => {
      this.healthy = false;
    });
  }

  idleSince(onIdle: () => void): void {
    this.idleTimer = setTimeout(onIdle, IDLE_EXIT_MS);
    this.idleTimer.unref();
  }

  busyAgain(): void {
    clearTimeout(this.idleTimer);
  }

  private lastWords(): string {
    return this.stderr.trim().split("\n").slice(-5).join(" | ") || "nothing on stderr";
  }

  async run(bytes: Uint8Array, job: ParseJob): Promise<ParsedDocument> {
    await this.started;
    const id = this.nextId++;
    const limits = this.limits;
    const request: ParseRequest = {
      type: "parse",
      id,
      bytes,
      filename: job.filename,
      maxDecompressedBytes: job.maxDecompressedBytes,
      ocr: { pageTimeoutMs: limits.ocrPageTimeoutMs, maxImagePixels: limits.maxImagePixels },
    };
    const startedAt = performance.now();
    let peak = 0;

    return new Promise<ParsedDocument>((resolve, reject) => {
      let settled = false;
      let stopping: Error | null = null;
      const finish = (err: Error | null, document?: ParsedDocument) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(poll);
        job.signal?.removeEventListener("abort", onAbort);
        this.child.off("message", onMessage);
        this.child.off("exit", onExit);
        if (err) reject(err);
        else resolve(document!);
      };
      // The process is killed and the job fails with `reason` once it has gone.
      const stop = (reason: Error) => {
        if (stopping || settled) return;
        stopping = reason;
        this.healthy = false;
        this.child.kill("SIGKILL");
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        this.healthy = false;
        if (stopping) return finish(stopping);
        // V8's own heap limit: the process aborts with this on its stderr.
        if (/heap out of memory|Reached heap limit/i.test(this.stderr)) return finish(memoryLimitError(limits));
        log.warn("a parser process stopped unexpectedly", {
          filename: path.basename(job.filename),
          code,
          signal,
          stderr: this.lastWords(),
        });
        finish(
          new ParseError(
            "corrupt",
            `Reading the file stopped the parser unexpectedly (${signal ?? `exit code ${code}`}); the file cannot be read.`,
          ),
        );
      };
      const onMessage = (m: ParserMessage) => {
        if (!("id" in m) || m.id !== id) return;
        if (m.type === "progress") return job.onProgress?.(m.page, m.total);
        const ms = Math.round(performance.now() - startedAt);
        log.debug("parsed in the sandbox", { ms, peakMb: megabytes(peak), outcome: m.type });
        if (peak > limits.memoryBytes / 2) this.healthy = false;
        if (m.type === "result") return finish(null, m.document);
        if (m.type === "parse_error") return finish(new ParseError(m.code, m.message));
        this.healthy = false;
        finish(new Error(`The parser failed: ${m.message}`));
      };
      const onAbort = () => stop(abortReason(job.signal!));
      const timer = setTimeout(() => stop(timeLimitError(limits)), limits.timeoutMs);
      let looking = false;
      const poll = setInterval(() => {
        if (looking || !this.child.pid) return;
        looking = true;
        residentBytes(this.child.pid)
          .then((rss) => {
            if (rss === null) return;
            peak = Math.max(peak, rss);
            if (rss > limits.memoryBytes) stop(memoryLimitError(limits));
          })
          .catch((err: unknown) => log.warn("could not read a parser process's memory", { err }))
          .finally(() => {
            looking = false;
          });
      }, MEMORY_POLL_MS);

      this.child.on("message", onMessage);
      this.child.once("exit", onExit);
      job.signal?.addEventListener("abort", onAbort, { once: true });
      if (job.signal?.aborted) return onAbort();
      this.child.send(request, (err) => {
        if (err) stop(err);
      });
    });
  }

  /** Kills the process; resolves once it has gone. */
  async kill(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.healthy = false;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // Referenced again while it goes, or a caller awaiting this (a CLI closing the pool) would
      // find the event loop empty and the process ending before the rest of its work.
      this.child.ref();
      this.child.kill("SIGKILL");
    }
    await this.exited;
  }
}
