import "server-only";
import type { Database } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import { getDocumentById, getVersionById, listRestrictions, listVersionTimes } from "@/db/queries/documents";
import { versionIntervals } from "@/lib/documents/effective";
import { ParseError } from "@/lib/documents/parsed";
import { log } from "@/lib/log";
import type { Embedder } from "@/lib/models/embedder";
import { detectOptionsFromEnv } from "@/lib/privacy/config";
import { collectionPolicy } from "@/lib/privacy/collection-policy";
import { locateFindings, prepareDocument } from "@/lib/privacy/document-scan";
import { listPublishedVersions } from "@/lib/server/reindex";
import { readOriginal } from "@/lib/storage/files";
import { openFreshStagedStore, type IndexLocation } from "@/lib/vector/staging";
import type { ChunkStore } from "@/lib/vector/store";
import { chunkDocument } from "./chunk/chunker";
import type { Progress } from "./pipeline";
import type { DocumentParser } from "./sandbox/pool";
import { versionRows } from "./version-rows";

// Builds the staged table of a reindex (lib/server/staged-reindex.ts): every published version,
// from its stored original, through the same parse, privacy policy, chunker and row fields as
// ingestion, embedded with the staged embedder. Nothing in the database changes: the versions stay
// as the live index has them until the staged table is swapped in.

export interface StageDeps {
  db: Database;
  embedder: Embedder;
  parser: DocumentParser;
  dataDir: string;
  maxDecompressedBytes: number;
  location: IndexLocation;
}

/** Versions between index upkeeps while staging, so the staged table stays a few fragments. */
const UPKEEP_EVERY = 100;

export async function buildStagedIndex(deps: StageDeps, report: Progress): Promise<string> {
  const store = await openFreshStagedStore(deps.location, { embedderId: deps.embedder.id, dim: deps.embedder.dim });
  try {
    const versions = await listPublishedVersions(deps.db);
    let staged = 0;
    const skipped: string[] = [];
    for (const [i, v] of versions.entries()) {
      report.signal?.throwIfAborted();
      const outcome = await stageVersion(deps, store, v.versionId, report.signal);
      if (outcome === "staged") staged++;
      else skipped.push(`${v.versionId}: ${outcome}`);
      if (i % UPKEEP_EVERY === UPKEEP_EVERY - 1) await store.ensureIndexes();
      await report.progress((i + 1) / versions.length, `Staged ${i + 1} of ${versions.length} versions`);
    }
    await store.ensureIndexes();
    if (skipped.length > 0) log.warn("versions left out of the staged index", { skipped });
    return `${staged} version(s) staged with ${deps.embedder.id}${skipped.length > 0 ? `, ${skipped.length} left out (see the log)` : ""}`;
  } finally {
    await store.close();
  }
}

/** Writes one version's rows into the staged table; returns "staged" or why it was left out. */
async function stageVersion(
  deps: StageDeps,
  store: ChunkStore,
  versionId: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const { db, embedder } = deps;
  const version = await getVersionById(db, { id: versionId });
  if (!version?.storagePath || version.status === "deleted") return "deleted";
  const document = await getDocumentById(db, { id: version.documentId });
  const collection = document && (await getCollectionById(db, { id: document.collectionId }));
  if (!document || document.status !== "active" || !collection) return "deleted";
  const bytes = await readOriginal(deps.dataDir, {
    id: version.id,
    storagePath: version.storagePath,
    dataKey: version.dataKey,
  });
  let parsed;
  try {
    parsed = await deps.parser.parse(bytes, {
      filename: version.originalName,
      maxDecompressedBytes: deps.maxDecompressedBytes,
      signal,
    });
  } catch (err) {
    if (err instanceof ParseError) return `cannot be read now: ${err.message}`;
    throw err;
  }
  const prepared = prepareDocument(parsed, collectionPolicy(collection), detectOptionsFromEnv());
  if (prepared.rejection) return `refused by the collection's privacy policy: ${prepared.rejection}`;
  const chunks = chunkDocument(prepared.document, { maxTokens: embedder.maxTokens });
  if (chunks.length === 0) return "no extractable text";
  if (locateFindings(prepared.scan, chunks).quarantined && version.reviewDecision !== "released")
    return "held for review";
  const vectors: Float32Array[] = [];
  for (let i = 0; i < chunks.length; i += 64)
    vectors.push(...(await embedder.embed(chunks.slice(i, i + 64).map((c) => c.text))));
  // As the database has them now; the swap applies any change made after this.
  const restrictedTo = ((await listRestrictions(db, { documentIds: [document.id] })).get(document.id) ?? []).map(
    (g) => g.id,
  );
  const { spans } = prepared;
  const title = prepared.document.title ?? document.name;
  const interval = versionIntervals(await listVersionTimes(db, { documentIds: [document.id] })).get(versionId);
  if (!interval) return "no longer published";
  await store.replaceVersionChunks(
    versionId,
    versionRows({ chunks, vectors, document, versionId, title, spans, restrictedTo, interval }),
  );
  return "staged";
}
