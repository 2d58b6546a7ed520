import { randomUUID } from "node:crypto";
import type { ChunkRow } from "./chunk-schema";

// Builders for the chunk store's tests: real rows with deterministic vectors, no model needed.

export function basisVector(dim: number, axis: number): Float32Array {
  const v = new Float32Array(dim);
  v[axis % dim] = 1;
  return v;
}

/** Deterministic pseudo-random unit vector (a tiny LCG: the same seed gives the same vector). */
export function seededUnitVector(dim: number, seed: number): Float32Array {
  let state = (seed * 2654435761) % 2147483647 || 1;
  const v = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    state = (state * 16807) % 2147483647;
    v[i] = state / 2147483647 - 0.5;
    norm += v[i]! * v[i]!;
  }
  return v.map((x) => x / Math.sqrt(norm));
}

export interface DocFixture {
  collectionId: string;
  documentId: string;
  versionId: string;
  restrictedTo: string[];
  title: string;
}

export function docFixture(collectionId: string, restrictedTo: string[] = [], title = "Fixture document"): DocFixture {
  return { collectionId, documentId: randomUUID(), versionId: randomUUID(), restrictedTo, title };
}

export function chunkRow(doc: DocFixture, chunkIndex: number, text: string, vector: Float32Array): ChunkRow {
  return {
    id: `${doc.versionId}:${chunkIndex}`,
    text,
    vector,
    collectionId: doc.collectionId,
    documentId: doc.documentId,
    versionId: doc.versionId,
    restrictedTo: doc.restrictedTo,
    piiTypes: [],
    pageStart: chunkIndex + 1,
    pageEnd: chunkIndex + 1,
    headingPath: "Fixture > Section",
    charStart: chunkIndex * 100,
    charEnd: chunkIndex * 100 + text.length,
    chunkIndex,
    title: doc.title,
  };
}
