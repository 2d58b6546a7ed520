// The export file format, shared by the writer (server) and the offline check (CLI). A file is:
//   JSONL: a header line, one line per event, then the manifest line;
//   CSV:   a header row, one row per event, then the manifest line `#kq-audit-manifest {json}`.
// Every line ends with "\n". The manifest carries bodySha256 (of every byte before it) and an
// Ed25519 signature over its own canonical JSON without the signature.
// Version 2 adds `scope` (the whole trail, which must be contiguous, or a filtered selection)
// and makes every CSV cell formula-safe. Version 1 files (written before the first release)
// are refused with a message to export again.

export const EXPORT_FORMAT = "kq-audit-export";
export const EXPORT_VERSION = 2;

/** Said in every filtered export's manifest and by the verifier. */
export const FILTERED_COMPLETENESS =
  "This export is filtered (it also carries every retention purge in its range, so each redaction can be checked): " +
  "each event's own hash is checked and consecutive events are linked, " +
  "but that no matching event was left out cannot be proven from the file alone; " +
  "compare its chain head with `audit verify --anchor` on the installation.";
export const WHOLE_TRAIL_COMPLETENESS =
  "This export is the whole trail: it must hold every event from 1 to its chain head, each linked to the one before.";

export type ExportScope = "whole-trail" | "filtered";

/** An export is of the whole trail exactly when no filter was given. */
export function scopeOf(filters: Record<string, unknown> | null | undefined): ExportScope {
  const given = Object.values(filters ?? {}).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  return given ? "filtered" : "whole-trail";
}
export const CSV_MANIFEST_PREFIX = "#kq-audit-manifest ";

export const CSV_COLUMNS = [
  "seq",
  "at",
  "type",
  "actor_id",
  "actor_email",
  "subject_collection_id",
  "subject_document_id",
  "subject_user_id",
  "subject_conversation_id",
  "summary",
  "question",
  "answer",
  "model",
  "payload_json",
  "content_json",
  "content_salt",
  "content_sha256",
  "redacted_at",
  "prev_hash",
  "hash",
] as const;

export interface ExportManifest {
  kind: "manifest";
  format: typeof EXPORT_FORMAT;
  version: number;
  exportFormat: "csv" | "jsonl";
  createdAt: string;
  /** The filters as given. */
  filters: Record<string, unknown>;
  /** Whether this is the whole trail or a filtered selection, and what that proves. */
  scope: ExportScope;
  completeness: string;
  /** The server verified the chain from `fromSeq` (an earlier verified anchor, or 1) to the head before signing. */
  verifiedBeforeSigning: { fromSeq: number; throughSeq: number };
  rowCount: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The chain's head when the export began: its own audit.exported event. */
  chainHead: { seq: number; hash: string };
  bodySha256: string;
  signatureAlgorithm: "Ed25519";
  /** base64 DER SubjectPublicKeyInfo. */
  publicKey: string;
  keyFingerprint: string;
  signature?: string;
}

/** Quotes a CSV field when it must be (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * Every cell, opened in a spreadsheet: a leading = + - @ tab or CR would run as a formula, so
 * the value is prefixed with '. A value that already starts with ' gets one more, so the escape
 * is reversible (csvUncell) and the exact columns the check recomputes hashes from survive it.
 */
export function csvCell(value: string): string {
  return csvField(FORMULA_START.test(value) ? `'${value}` : value);
}

/** The value csvCell was given (after CSV unquoting). */
export function csvUncell(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}
