import "server-only";
import { intervalMs, type Interval } from "@/lib/documents/effective";
import type { ChunkRow } from "@/lib/vector/store";
import type { Chunk } from "@/lib/documents/parsed";
import { chunkPiiTypes, type PreparedDocument } from "@/lib/privacy/document-scan";

// A version's chunks and vectors as rows of the chunk table, for ingestion and for a reindex
// built beside the live table (ingest/stage.ts), so both write exactly the same fields.

export interface VersionRowsInput {
  chunks: readonly Chunk[];
  vectors: readonly Float32Array[];
  document: { id: string; collectionId: string };
  versionId: string;
  title: string;
  /** Where the prepared document holds personal data, for each chunk's kinds. */
  spans: PreparedDocument["spans"];
  restrictedTo: string[];
  interval: Interval;
}

export function versionRows(input: VersionRowsInput): ChunkRow[] {
  const chunkTypes = chunkPiiTypes(input.chunks, input.spans);
  return input.chunks.map((c, i) => ({
    id: `${input.versionId}:${c.index}`,
    text: c.text,
    vector: input.vectors[i]!,
    collectionId: input.document.collectionId,
    documentId: input.document.id,
    versionId: input.versionId,
    restrictedTo: input.restrictedTo,
    piiTypes: chunkTypes[i]!,
    pageStart: c.pageStart ?? null,
    pageEnd: c.pageEnd ?? null,
    ocrConfidence: c.ocrConfidence ?? null,
    ...intervalMs(input.interval),
    headingPath: c.headingPath.join(" > "),
    charStart: c.charStart,
    charEnd: c.charEnd,
    chunkIndex: c.index,
    title: input.title,
  }));
}
