import "server-only";
import { env } from "@/lib/env";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";

// One embedder and one chunk store per process, opened on first use and kept on globalThis
// (Next.js may evaluate this module in several bundles).

const EMBEDDER = Symbol.for("knowledge-qa.embedder");
const STORE = Symbol.for("knowledge-qa.chunk-store");
type Holder = { [EMBEDDER]?: Promise<Embedder>; [STORE]?: Promise<ChunkStore> };
const holder = globalThis as Holder;

function once<T>(key: typeof EMBEDDER | typeof STORE, init: () => Promise<T>): Promise<T> {
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

export function getChunkStore(): Promise<ChunkStore> {
  return once(STORE, async () => {
    const embedder = await getEmbedder();
    return openChunkStore({ uri: env().lanceUri, embedderId: embedder.id, dim: embedder.dim });
  });
}

/** Document management needs only the store's maintenance side. */
export const getChunkIndex = getChunkStore;
