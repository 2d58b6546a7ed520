import "server-only";
import { env } from "@/lib/env";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { loadGgufReranker, type Reranker } from "@/lib/models/reranker";
import { getDatabaseHandle } from "./db";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { writeLockFor } from "@/lib/vector/write-lock";

// One embedder and one chunk store per process (the parser pool is ingest/parser-runtime.ts), opened on first use
// and kept on globalThis (Next.js may evaluate this module in several bundles).

const EMBEDDER = Symbol.for("knowledge-qa.embedder");
const STORE = Symbol.for("knowledge-qa.chunk-store");
const RERANKER = Symbol.for("knowledge-qa.reranker");
type Holder = { [EMBEDDER]?: Promise<Embedder>; [STORE]?: Promise<ChunkStore>; [RERANKER]?: Promise<Reranker | null> };
const holder = globalThis as Holder;

function once<T>(key: typeof EMBEDDER | typeof STORE | typeof RERANKER, init: () => Promise<T>): Promise<T> {
  const slot = holder as Record<symbol, Promise<T> | undefined>;
  if (!slot[key]) {
    const pending = init();
    slot[key] = pending;
    pending.catch(() => {
      if (slot[key] === pending) delete slot[key];
    });
  }
  return slot[key]!;
}

export function getEmbedder(): Promise<Embedder> {
  const e = env();
  return once(EMBEDDER, () => createEmbedder({ modelPath: e.EMBEDDING_MODEL_PATH, threads: e.EMBEDDING_THREADS }));
}

/** The configured reranking model, or null; a configured one that cannot load fails the request with the reason. */
export function getReranker(): Promise<Reranker | null> {
  const e = env();
  return once(RERANKER, async () =>
    e.RERANKER_MODEL_PATH ? loadGgufReranker({ modelPath: e.RERANKER_MODEL_PATH, threads: e.EMBEDDING_THREADS }) : null,
  );
}

export function getChunkStore(): Promise<ChunkStore> {
  return once(STORE, async () => {
    const e = env();
    const embedder = await getEmbedder();
    const writeLock = await writeLockFor(e, getDatabaseHandle);
    return openChunkStore({ uri: e.lanceUri, embedderId: embedder.id, dim: embedder.dim, writeLock });
  });
}

/** Document management needs only the store's maintenance side. */
export const getChunkIndex = getChunkStore;

/**
 * After a staged index was swapped in: this process embeds questions and new documents with the
 * staged model from now on, without a restart. The configuration (EMBEDDING_MODEL_PATH) must be
 * changed to match before the next start; until then a restart meets the mismatch and says so.
 */
export async function adoptEmbedder(modelPath: string | undefined): Promise<Embedder> {
  const e = env();
  const slot = holder as Record<symbol, Promise<unknown> | undefined>;
  const previous = [slot[STORE], slot[EMBEDDER]];
  delete slot[STORE];
  delete slot[EMBEDDER];
  const next = once(EMBEDDER, () => createEmbedder({ modelPath, threads: e.EMBEDDING_THREADS }));
  await next;
  // Requests still holding the old store or embedder fail once (the table's identity moved anyway).
  for (const old of previous)
    await old?.then(
      (x) => (x as { close(): Promise<void> }).close(),
      () => undefined,
    );
  return next;
}
