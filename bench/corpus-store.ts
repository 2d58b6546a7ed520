// A benchmark corpus as chunk tables built with the product's own chunker and ChunkStore, cached
// under .tmp/bench/<embedder>/ and reused while the embedder and the chunks are the same.
import fs from "node:fs";
import path from "node:path";
import { chunkDocument } from "@/ingest/chunk/chunker";
import type { ParsedBlock } from "@/lib/documents/parsed";
import type { Embedder } from "@/lib/models/embedder";
import { openChunkStore, type ChunkRow, type ChunkStore } from "@/lib/vector/store";
import { BENCH_CACHE_DIR, EmbeddingCache, embedderSlug, sha256 } from "./embed-cache";

export interface CorpusDocument {
  /** The benchmark's own id (SciFact doc id, file name). */
  key: string;
  title: string;
  blocks: ParsedBlock[];
}

export interface CorpusChunks {
  name: string;
  collectionId: string;
  docs: { key: string; rows: Omit<ChunkRow, "vector">[] }[];
  /** LanceDB document id → the benchmark's document key */
  keyOf: Map<string, string>;
  chunkCount: number;
}

/** A stable UUID from a name, so ids survive reruns and a cached table can be reused. */
export function uuidFor(name: string): string {
  const h = sha256(name);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Every document through the product's chunker, into rows of one collection. */
export function chunkCorpus(name: string, documents: CorpusDocument[], maxTokens: number): CorpusChunks {
  const collectionId = uuidFor(`bench:${name}:collection`);
  const keyOf = new Map<string, string>();
  let chunkCount = 0;
  const docs = documents.map((d) => {
    const documentId = uuidFor(`bench:${name}:doc:${d.key}`);
    const versionId = uuidFor(`bench:${name}:version:${d.key}`);
    keyOf.set(documentId, d.key);
    const rows = chunkDocument({ blocks: d.blocks }, { maxTokens }).map((c) => ({
      id: `${versionId}:${c.index}`,
      text: c.text,
      collectionId,
      documentId,
      versionId,
      restrictedTo: [],
      piiTypes: [],
      pageStart: c.pageStart ?? null,
      pageEnd: c.pageEnd ?? null,
      headingPath: c.headingPath.join(" > "),
      charStart: c.charStart,
      charEnd: c.charEnd,
      chunkIndex: c.index,
      title: d.title,
    }));
    chunkCount += rows.length;
    return { key: d.key, rows };
  });
  return { name, collectionId, docs, keyOf, chunkCount };
}

export const log = (msg: string) => process.stderr.write(`${msg}\n`);

/**
 * The corpus's chunk table for this embedder: reused from .tmp when a complete one exists for the
 * same chunks, otherwise embedded (through the cache) and written version by version with
 * replaceVersionChunks, as ingestion writes, then indexed with ensureIndexes.
 */
export async function openCorpusStore(
  embedder: Embedder,
  chunks: CorpusChunks,
  cache: EmbeddingCache,
): Promise<ChunkStore> {
  const key = sha256(
    chunks.docs
      .flatMap((d) => d.rows.map((r) => `${r.id}\u0000${r.text}\u0000${r.headingPath}\u0000${r.title}`))
      .join("\u0001"),
  ).slice(0, 16);
  const dir = path.join(BENCH_CACHE_DIR, embedderSlug(embedder.id), `${chunks.name}-lance-${key}`);
  const marker = path.join(dir, "complete.json");
  if (fs.existsSync(marker)) {
    const store = await openChunkStore({ uri: dir, embedderId: embedder.id, dim: embedder.dim });
    if ((await store.countRows()) === chunks.chunkCount) {
      // Nothing to do on a table left optimized; catches up one a newer store version rewrote.
      await store.ensureIndexes();
      return store;
    }
    await store.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const texts = chunks.docs.flatMap((d) => d.rows.map((r) => r.text));
  const t0 = performance.now();
  let last = 0;
  const vectors = await cache.embed(texts, (done, todo) => {
    if (performance.now() - last < 10_000 && done < todo) return;
    last = performance.now();
    log(
      `  ${chunks.name}: embedded ${done}/${todo} new chunks (${(done / ((performance.now() - t0) / 1000)).toFixed(0)}/s)`,
    );
  });
  const store = await openChunkStore({ uri: dir, embedderId: embedder.id, dim: embedder.dim });
  const t1 = performance.now();
  let k = 0;
  for (const [i, d] of chunks.docs.entries()) {
    const rows = d.rows.map((r) => ({ ...r, vector: vectors[k++]! }));
    if (rows.length > 0) await store.replaceVersionChunks(rows[0]!.versionId, rows);
    // Ingestion calls ensureIndexes after every version; every few hundred keeps the table as
    // compact (a few fragments, not thousands) at a fraction of the cost.
    if (i % 250 === 249) await store.ensureIndexes();
  }
  await store.ensureIndexes();
  log(
    `  ${chunks.name}: ${chunks.chunkCount} chunks of ${chunks.docs.length} documents written and indexed in ${((performance.now() - t1) / 1000).toFixed(0)} s`,
  );
  fs.writeFileSync(marker, JSON.stringify({ rows: chunks.chunkCount, embedderId: embedder.id }));
  return store;
}
