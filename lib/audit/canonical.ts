import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { ChainedFields } from "./types";

// The hash chain's byte-exact rules (docs/adr/0008-audit-trail.md). Used by the appender, the
// verifier and the offline export check, so it depends on nothing but node:crypto.

/** prev_hash of the first event. */
export const GENESIS_HASH = "0".repeat(64);
export const CHAIN_VERSION = 1;

/** RFC 8785 (JSON Canonicalization Scheme): sorted keys, no whitespace, ES number form. */
export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new Error("A value with no JSON form cannot be canonicalised.");
  return out;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** What a value becomes once stored as jsonb and read back: undefined dropped, -0 as 0, and so on. */
export function asStoredJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function contentDigest(salt: string, content: Record<string, unknown>): string {
  return sha256Hex(salt + canonicalJson(content));
}

export function chainedFieldsOf(row: ChainedFields): ChainedFields {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    subject: {
      collectionId: row.subject.collectionId,
      documentId: row.subject.documentId,
      userId: row.subject.userId,
      conversationId: row.subject.conversationId,
    },
    payload: row.payload,
    contentSha256: row.contentSha256,
  };
}

/** hash = sha256(prev_hash || canonical JSON of the row). */
export function eventHash(prevHash: string, row: ChainedFields): string {
  return sha256Hex(prevHash + canonicalJson({ v: CHAIN_VERSION, ...chainedFieldsOf(row) }));
}
