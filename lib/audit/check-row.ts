import { contentDigest, eventHash } from "./canonical";
import type { AuditEventView } from "./types";

// The checks one event must pass on its own, shared by chain verification (against the
// database) and the offline export check (against a file).

export type RowProblem = { seq: number; reason: string };

export function checkRow(row: AuditEventView, prevHash: string): RowProblem | null {
  if (row.prevHash !== prevHash) {
    return { seq: row.seq, reason: `prev_hash does not match the hash of event ${row.seq - 1}` };
  }
  let expected: string;
  try {
    expected = eventHash(prevHash, row);
  } catch (err) {
    return { seq: row.seq, reason: `the event cannot be hashed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (expected !== row.hash) return { seq: row.seq, reason: "the event's contents do not match its hash" };
  return checkContent(row);
}

/** Content still present must match the digest the chain covers; redacted content must be gone. */
export function checkContent(row: AuditEventView): RowProblem | null {
  if (row.contentSha256 === null) {
    if (row.content !== null) return { seq: row.seq, reason: "content is present but the event's hash covers none" };
    return null;
  }
  if (row.redactedAt !== null) {
    if (row.content !== null) return { seq: row.seq, reason: "content is marked redacted but is still present" };
    return null;
  }
  if (row.content === null || row.contentSalt === null)
    return { seq: row.seq, reason: "the event's content is missing without a redaction" };
  if (contentDigest(row.contentSalt, row.content) !== row.contentSha256) {
    return { seq: row.seq, reason: "the event's content does not match the digest its hash covers" };
  }
  return null;
}

/**
 * Redacted events waiting for the retention.purged event that names them. Content may be
 * removed only by a recorded purge, appended after the events it redacts (in the same
 * transaction), so walking in chain order every redacted event must be named by a later purge.
 */
export class RedactionLedger {
  private readonly pending = new Set<number>();

  see(row: AuditEventView): void {
    if (row.redactedAt !== null) this.pending.add(row.seq);
    if (row.type === "retention.purged") {
      const seqs = (row.payload as { auditEventSeqs?: unknown }).auditEventSeqs;
      if (Array.isArray(seqs)) for (const s of seqs) if (typeof s === "number") this.pending.delete(s);
    }
  }

  /** Redacted events no purge named, in order. */
  unrecorded(): number[] {
    return [...this.pending].sort((a, b) => a - b);
  }
}
