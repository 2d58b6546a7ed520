import "server-only";
import { DataType, Field, FixedSizeList, Float32, Float64, Int32, List, Schema, Utf8 } from "apache-arrow";
import { EVERYONE_GROUP } from "./access-filter";
import { OPEN_END_MS } from "./effective-filter";

// The chunk table's Arrow schema and the conversions between its snake_case columns and the
// camelCase rows the rest of the code uses. The embedder identity is stored in the schema
// metadata, so it travels with the table (local directory or object store) and cannot drift.

export const TABLE_NAME = "chunks";
export const META_EMBEDDER_ID = "knowledge_qa.embedder_id";
export const META_EMBEDDER_DIM = "knowledge_qa.embedder_dim";
export const META_SCHEMA_VERSION = "knowledge_qa.chunk_schema";
const SCHEMA_VERSION = "1";

/** A chunk as ingestion writes it. `id` must be `${versionId}:${chunkIndex}`. */
export interface ChunkRow {
  id: string;
  text: string;
  vector: Float32Array;
  collectionId: string;
  documentId: string;
  versionId: string;
  /** Group ids the document is restricted to; empty: everyone who can read the collection. */
  restrictedTo: string[];
  piiTypes: string[];
  pageStart: number | null;
  pageEnd: number | null;
  /** Text read by OCR: the lowest recognition confidence in it, 0–100; null (or absent) otherwise. */
  ocrConfidence?: number | null;
  /**
   * The version's effective interval in epoch milliseconds, until exclusive (OPEN_END_MS: no end).
   * Absent: in effect from the epoch without end, as rows from before effective dates were.
   */
  effectiveFromMs?: number;
  effectiveUntilMs?: number;
  /** Headings from the top, joined with " > ". */
  headingPath: string;
  charStart: number;
  charEnd: number;
  chunkIndex: number;
  title: string;
}

/** A chunk found by a search; `score` is cosine similarity (vector) or BM25 (text). */
/** Effective intervals are not carried: what a version's interval is now comes from Postgres. */
export type Hit = Omit<ChunkRow, "vector" | "ocrConfidence" | "effectiveFromMs" | "effectiveUntilMs"> & {
  ocrConfidence: number | null;
  score: number;
};

/** A hit with its stored vector, for scoring it against the question's vector; never sent to users. */
export type HitWithVector = Hit & { vector: Float32Array };

const utf8List = () => new List(new Field("item", new Utf8(), true));

export function chunkSchema(embedderId: string, dim: number): Schema {
  return new Schema(
    [
      new Field("id", new Utf8(), false),
      new Field("text", new Utf8(), false),
      new Field("vector", new FixedSizeList(dim, new Field("item", new Float32(), true)), false),
      new Field("collection_id", new Utf8(), false),
      new Field("document_id", new Utf8(), false),
      new Field("version_id", new Utf8(), false),
      new Field("restricted_to", utf8List(), false),
      new Field("pii_types", utf8List(), false),
      new Field("page_start", new Int32(), true),
      new Field("page_end", new Int32(), true),
      new Field("ocr_confidence", new Float32(), true),
      new Field("effective_from_ms", new Float64(), false),
      new Field("effective_until_ms", new Float64(), false),
      new Field("heading_path", new Utf8(), false),
      new Field("char_start", new Int32(), false),
      new Field("char_end", new Int32(), false),
      new Field("chunk_index", new Int32(), false),
      new Field("title", new Utf8(), false),
    ],
    new Map([
      [META_EMBEDDER_ID, embedderId],
      [META_EMBEDDER_DIM, String(dim)],
      [META_SCHEMA_VERSION, SCHEMA_VERSION],
    ]),
  );
}

/**
 * Columns added since the first schema, with the SQL that fills them in rows written before:
 * a table created by an earlier release gets them when a process opens it (see addMissingColumns).
 */
export const ADDED_COLUMNS: { name: string; valueSql: string }[] = [
  { name: "ocr_confidence", valueSql: "CAST(NULL AS FLOAT)" },
  // Rows from before effective dates belong to current versions only (older ones were removed).
  { name: "effective_from_ms", valueSql: "CAST(0 AS DOUBLE)" },
  { name: "effective_until_ms", valueSql: `CAST(${OPEN_END_MS} AS DOUBLE)` },
];

/** Every column but the vector: hits never carry vectors back to the caller. */
export const HIT_COLUMNS = [
  "id",
  "text",
  "collection_id",
  "document_id",
  "version_id",
  "restricted_to",
  "pii_types",
  "page_start",
  "page_end",
  "ocr_confidence",
  "heading_path",
  "char_start",
  "char_end",
  "chunk_index",
  "title",
];

export interface StoredIdentity {
  embedderId: string | null;
  dim: number | null;
}

export function readIdentity(schema: Schema): StoredIdentity {
  const id = schema.metadata.get(META_EMBEDDER_ID) ?? null;
  const dimText = schema.metadata.get(META_EMBEDDER_DIM);
  const vectorType = schema.fields.find((f) => f.name === "vector")?.type;
  // By type id, not instanceof: LanceDB may hand back types from its own copy of apache-arrow.
  const columnDim = vectorType && DataType.isFixedSizeList(vectorType) ? vectorType.listSize : null;
  const dim = dimText !== undefined && Number(dimText) === columnDim ? columnDim : null;
  return { embedderId: id, dim };
}

export function toRecord(row: ChunkRow): Record<string, unknown> {
  return {
    id: row.id,
    text: row.text,
    vector: row.vector,
    collection_id: row.collectionId,
    document_id: row.documentId,
    version_id: row.versionId,
    restricted_to: row.restrictedTo.length > 0 ? row.restrictedTo : [EVERYONE_GROUP],
    pii_types: row.piiTypes,
    page_start: row.pageStart,
    page_end: row.pageEnd,
    ocr_confidence: row.ocrConfidence ?? null,
    effective_from_ms: row.effectiveFromMs ?? 0,
    effective_until_ms: row.effectiveUntilMs ?? OPEN_END_MS,
    heading_path: row.headingPath,
    char_start: row.charStart,
    char_end: row.charEnd,
    chunk_index: row.chunkIndex,
    title: row.title,
  };
}

/** Arrow hands back a vector as a list view; copied so the hit does not pin the result batch. */
export function toHitWithVector(r: Record<string, unknown>, score: number): HitWithVector {
  const v = r.vector as { toArray(): ArrayLike<number> } | null | undefined;
  return { ...toHit(r, score), vector: v ? Float32Array.from(v.toArray()) : new Float32Array(0) };
}

type ListLike = { toArray(): ArrayLike<unknown> } | null | undefined;
const strings = (v: ListLike): string[] => (v ? Array.from(v.toArray(), String) : []);
const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toHit(r: Record<string, unknown>, score: number): Hit {
  return {
    id: String(r.id),
    text: String(r.text),
    collectionId: String(r.collection_id),
    documentId: String(r.document_id),
    versionId: String(r.version_id),
    restrictedTo: strings(r.restricted_to as ListLike).filter((g) => g !== EVERYONE_GROUP),
    piiTypes: strings(r.pii_types as ListLike),
    pageStart: intOrNull(r.page_start),
    pageEnd: intOrNull(r.page_end),
    ocrConfidence: r.ocr_confidence === null || r.ocr_confidence === undefined ? null : Number(r.ocr_confidence),
    headingPath: String(r.heading_path),
    charStart: Number(r.char_start),
    charEnd: Number(r.char_end),
    chunkIndex: Number(r.chunk_index),
    title: String(r.title),
    score,
  };
}
