// The export file format, shared by the writer (server) and the offline check (CLI). A file is:
//   JSONL: a header line, one line per event, then the manifest line;
//   CSV:   a header row, one row per event, then the manifest line `#kq-audit-manifest {json}`.
// Every line ends with "\n". The manifest carries bodySha256 (of every byte before it) and an
// Ed25519 signature over its own canonical JSON without the signature.

export const EXPORT_FORMAT = "kq-audit-export";
export const EXPORT_VERSION = 1;
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

/**
 * Text meant for people, opened in a spreadsheet: a leading = + - @ would run as a formula, so it
 * is prefixed with '. Only the readable columns get this; the *_json columns stay exact.
 */
export function csvText(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}
