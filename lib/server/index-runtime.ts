import "server-only";
import { env } from "@/lib/env";
import { createEmbedder, type Embedder } from "@/lib/models/embedder";
import { getDatabaseHandle } from "@/db/runtime";
import { openChunkStore, type ChunkStore } from "@/lib/vector/store";
import { writeLockFor } from "@/lib/vector/write-lock";
import { parserLimitsFromEnv } from "@/ingest/sandbox/limits";
import { createParserPool, type DocumentParser } from "@/ingest/sandbox/pool";

// One embedder, one chunk store and one pool of parser processes per process, opened on first use
// and kept on globalThis (Next.js may evaluate this module in several bundles).

const EMBEDDER = Symbol.for("knowledge-qa.embedder");
const STORE = Symbol.for("knowledge-qa.chunk-store");
const PARSER = Symbol.for("knowledge-qa.parser-pool");
type Holder = { [EMBEDDER]?: Promise<Embedder>; [STORE]?: Promise<ChunkStore>; [PARSER]?: Promise<DocumentParser> };
const holder = globalThis as Holder;

function once<T>(key: typeof EMBEDDER | typeof STORE | typeof PARSER, init: () => Promise<T>): Promise<T> {
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
    const e = env();
    const embedder = await getEmbedder();
    const writeLock = await writeLockFor(e, getDatabaseHandle);
    return openChunkStore({ uri: e.lanceUri, embedderId: embedder.id, dim: embedder.dim, writeLock });
  });
}

/** Document management needs only the store's maintenance side. */
export const getChunkIndex = getChunkStore;

/** One parser process per concurrent ingestion job (INGEST_CONCURRENCY), started when first needed. */
export function getParserPool(): Promise<DocumentParser> {
  const e = env();
  return once(PARSER, async () =>
    createParserPool({ size: Math.max(1, e.INGEST_CONCURRENCY), limits: parserLimitsFromEnv(e) }),
  );
}

/** Stops the parser processes, if any were started (server shutdown). */
export async function closeParserPool(): Promise<void> {
  const pending = holder[PARSER];
  delete holder[PARSER];
  if (pending) await (await pending).close();
}
