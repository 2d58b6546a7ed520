import "server-only";
import { EVERYONE_GROUP, normalizeId, normalizeIds } from "./access-filter";
import type { ChunkRow } from "./chunk-schema";
import { OPEN_END_MS } from "./effective-filter";

// Checks a version's chunks before they are written: ids become SQL literals later, and a vector
// of the wrong size or a NaN would poison every search that touches it.

export class InvalidChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidChunkError";
  }
}

const isInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0x7fffffff;

/** Returns copies with ids in lower case; throws InvalidChunkError naming the first bad field. */
export function validateVersionRows(versionId: string, rows: readonly ChunkRow[], dim: number): ChunkRow[] {
  const version = normalizeId(versionId, "The version id");
  const seen = new Set<number>();
  let documentId: string | undefined;
  let collectionId: string | undefined;

  return rows.map((row, i) => {
    const where = `Chunk ${i} of version ${version}`;
    if (normalizeId(row.versionId, `${where}: versionId`) !== version)
      throw new InvalidChunkError(`${where} belongs to version ${row.versionId}.`);
    const doc = normalizeId(row.documentId, `${where}: documentId`);
    const col = normalizeId(row.collectionId, `${where}: collectionId`);
    documentId ??= doc;
    collectionId ??= col;
    if (doc !== documentId || col !== collectionId)
      throw new InvalidChunkError(`${where} names a different document or collection than chunk 0.`);
    if (!isInt(row.chunkIndex)) throw new InvalidChunkError(`${where}: chunkIndex must be a non-negative integer.`);
    if (seen.has(row.chunkIndex)) throw new InvalidChunkError(`${where}: chunkIndex ${row.chunkIndex} is repeated.`);
    seen.add(row.chunkIndex);
    const id = `${version}:${row.chunkIndex}`;
    if (row.id.toLowerCase() !== id) throw new InvalidChunkError(`${where}: id must be "${id}".`);
    if (row.vector.length !== dim)
      throw new InvalidChunkError(`${where}: the vector has ${row.vector.length} values, the index expects ${dim}.`);
    if (!row.vector.every(Number.isFinite))
      throw new InvalidChunkError(`${where}: the vector contains a non-finite value.`);
    if (typeof row.text !== "string" || typeof row.title !== "string" || typeof row.headingPath !== "string") {
      throw new InvalidChunkError(`${where}: text, title and headingPath must be strings.`);
    }
    if (!isInt(row.charStart) || !isInt(row.charEnd) || row.charEnd < row.charStart) {
      throw new InvalidChunkError(`${where}: charStart and charEnd must be integers with charStart <= charEnd.`);
    }
    for (const page of [row.pageStart, row.pageEnd]) {
      if (page !== null && !isInt(page)) throw new InvalidChunkError(`${where}: pages must be integers or null.`);
    }
    const ocr = row.ocrConfidence;
    if (ocr !== undefined && ocr !== null && !(Number.isFinite(ocr) && ocr >= 0 && ocr <= 100)) {
      throw new InvalidChunkError(`${where}: ocrConfidence must be a number from 0 to 100, or null.`);
    }
    const from = row.effectiveFromMs ?? 0;
    const until = row.effectiveUntilMs ?? OPEN_END_MS;
    if (!Number.isFinite(from) || !Number.isFinite(until) || from < 0 || until > OPEN_END_MS || until <= from)
      throw new InvalidChunkError(`${where}: the effective interval must be epoch milliseconds with from < until.`);
    if (!Array.isArray(row.piiTypes) || !row.piiTypes.every((t) => typeof t === "string")) {
      throw new InvalidChunkError(`${where}: piiTypes must be a list of strings.`);
    }
    const restrictedTo = normalizeIds(row.restrictedTo, `${where}: a restrictedTo group id`);
    if (restrictedTo.includes(EVERYONE_GROUP))
      throw new InvalidChunkError(
        `${where}: ${EVERYONE_GROUP} is reserved; an unrestricted chunk has restrictedTo [].`,
      );
    return {
      ...row,
      id,
      versionId: version,
      documentId: doc,
      collectionId: col,
      restrictedTo,
      effectiveFromMs: from,
      effectiveUntilMs: until,
      vector: Float32Array.from(row.vector),
    };
  });
}
