import "server-only";
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { insertJob } from "@/db/queries/jobs";
import { documentVersions, documents } from "@/db/schema";
import { PUBLISHED_STATUSES } from "@/lib/documents/effective";
import { INGEST_JOB } from "@/lib/documents/upload";
import { log } from "@/lib/log";
import { env } from "@/lib/env";
import { EmbedderMismatchError, openChunkStoreForReset } from "@/lib/vector/store";
import { getDatabaseHandle } from "./db";
import { writeLockFor } from "@/lib/vector/write-lock";
import { getChunkStore, getEmbedder } from "./index-runtime";

/**
 * Re-embeds every document with the configured embedder: the vector table is recreated for the
 * embedder's identity and every published version (older ones too, for "as of" questions) is
 * queued again from its stored original.
 * Search answers from fewer documents until the queue drains.
 */
export async function reindexAll(db: Database): Promise<{ embedder: string; dim: number; queued: number }> {
  const embedder = await getEmbedder();
  try {
    await (await getChunkStore()).reset(embedder.id, embedder.dim);
  } catch (err) {
    // A mismatch is exactly what reindexing resolves; any other failure is not.
    if (!(err instanceof EmbedderMismatchError)) throw err;
    const e = env();
    const store = await openChunkStoreForReset({
      uri: e.lanceUri,
      writeLock: await writeLockFor(e, getDatabaseHandle),
    });
    try {
      await store.reset(embedder.id, embedder.dim);
    } finally {
      await store.close();
    }
  }
  const current = await listPublishedVersions(db);
  for (const v of current) await insertJob(db, { kind: INGEST_JOB, payload: { versionId: v.versionId } });
  log.info("reindex queued", { embedder: embedder.id, versions: current.length });
  return { embedder: embedder.id, dim: embedder.dim, queued: current.length };
}

/** Every published version with a stored original, of every active document: what an index must hold. */
export async function listPublishedVersions(db: Executor) {
  return db
    .select({
      versionId: documentVersions.id,
      documentId: documents.id,
      collectionId: documents.collectionId,
      processedAt: documentVersions.processedAt,
    })
    .from(documents)
    .innerJoin(documentVersions, eq(documentVersions.documentId, documents.id))
    .where(
      and(
        eq(documents.status, "active"),
        inArray(documentVersions.status, [...PUBLISHED_STATUSES]),
        isNotNull(documentVersions.storagePath),
      ),
    );
}
