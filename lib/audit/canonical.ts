import crypto, { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { ChainedFields } from "./types";

// The hash chain's byte-exact rules (docs/adr/0008-audit-trail.md). Used by the appender, the
// verifier and the offline export check, so it depends on nothing but node:crypto.

/** prev_hash of the first event. */
export const GENESIS_HASH = "0".repeat(64);
export const CHAIN_VERSION = 1;

/** Thrown by the fast path for a value it leaves to the reference implementation. */
class NotPlainJson extends Error {}

// Verification hashes every event again, so this runs a million times per walk of a large
// trail. Values read back from jsonb are plain JSON; for those this writes the same bytes as the
// `canonicalize` package (a test compares them) without its per-character surrogate scan and
// its intermediate arrays. Anything else (toJSON, functions, cycles) goes to the package.
const MAX_DEPTH = 500;

// A string with a lone surrogate (a high one not followed by a low one, or a low one not
// preceded by a high one) is not well formed; the native check is much faster than a regex.
const nativeCheck = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
const wellFormed: (s: string) => boolean = nativeCheck
  ? (s) => nativeCheck.call(s)
  : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

function plainString(s: string): string {
  if (!wellFormed(s)) throw new Error("Lone surrogate is not allowed");
  return JSON.stringify(s);
}

// Object keys repeat across events (the payload fields of each event type), so their quoted
// form is kept; the cache is bounded in case keys are data (a map keyed by ids).
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 10_000;

function plainKey(key: string): string {
  let quoted = keyCache.get(key);
  if (quoted === undefined) {
    quoted = plainString(key);
    if (keyCache.size < KEY_CACHE_MAX) keyCache.set(key, quoted);
  }
  return quoted;
}

function fastCanonical(value: unknown, depth: number): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return plainString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (Number.isNaN(value)) throw new Error("NaN is not allowed");
      if (!Number.isFinite(value)) throw new Error("Infinity is not allowed");
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new NotPlainJson();
  }
  if (depth > MAX_DEPTH) throw new NotPlainJson();
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (i > 0) out += ",";
      out += item === undefined || typeof item === "symbol" ? "null" : fastCanonical(item, depth + 1);
    }
    return out + "]";
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || "toJSON" in value) throw new NotPlainJson();
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || typeof item === "symbol") continue;
    if (!first) out += ",";
    first = false;
    out += plainKey(key) + ":" + fastCanonical(item, depth + 1);
  }
  return out + "}";
}

/** RFC 8785 (JSON Canonicalization Scheme): sorted keys, no whitespace, ES number form. */
export function canonicalJson(value: unknown): string {
  if (value !== undefined) {
    try {
      return fastCanonical(value, 0);
    } catch (err) {
      if (!(err instanceof NotPlainJson)) throw err;
    }
  }
  const out = canonicalize(value);
  if (out === undefined) throw new Error("A value with no JSON form cannot be canonicalised.");
  return out;
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

export function sha256Hex(text: string): string {
  // crypto.hash (Node ≥ 20.12) is the one-shot form, without a Hash object per call.
  return oneShot ? oneShot("sha256", text, "hex") : createHash("sha256").update(text, "utf8").digest("hex");
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
  return sha256Hex(prevHash + chainedJson(row));
}

/**
 * canonicalJson({ v: CHAIN_VERSION, ...chainedFieldsOf(row) }) written with its keys in their
 * canonical order by hand: verification runs this once per event, and the generic path spends
 * much of its time copying and sorting these two fixed objects. A test compares the bytes.
 */
function chainedJson(row: ChainedFields): string {
  const s = row.subject;
  const subject =
    member("", '"collectionId"', s.collectionId) +
    member(",", '"conversationId"', s.conversationId) +
    member(",", '"documentId"', s.documentId) +
    member(",", '"userId"', s.userId);
  const out =
    member("", '"actorEmail"', row.actorEmail) +
    member(",", '"actorId"', row.actorId) +
    member(",", '"at"', row.at) +
    member(",", '"contentSha256"', row.contentSha256) +
    member(",", '"payload"', row.payload) +
    member(",", '"seq"', row.seq) +
    ',"subject":{' +
    (subject.startsWith(",") ? subject.slice(1) : subject) +
    "}" +
    member(",", '"type"', row.type) +
    member(",", '"v"', CHAIN_VERSION);
  return "{" + (out.startsWith(",") ? out.slice(1) : out) + "}";
}

/** `,"key":value`, or nothing when the value is undefined (as canonicalize drops it). */
function member(comma: string, quotedKey: string, value: unknown): string {
  return value === undefined ? "" : comma + quotedKey + ":" + canonicalJson(value);
}
