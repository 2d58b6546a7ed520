import "server-only";
import { desc, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { getAuditEventBySeq, listAuditChainPage, type AuditChainRow } from "@/db/queries/audit";
import { auditEvents } from "@/db/schema";
import { GENESIS_HASH } from "./canonical";
import { checkRow, RedactionLedger } from "./check-row";
import { getChainHead } from "./log";
import type { AuditEventView } from "./types";

export interface ChainAnchor {
  seq: number;
  hash: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Events checked (up to the head when the walk started). */
  count: number;
  /** Where the walk began: 1, or an anchor verified earlier. */
  fromSeq: number;
  head: ChainAnchor | null;
  /** The first sequence number that fails, and why; null when the chain is intact. */
  firstBroken: { seq: number; reason: string } | null;
  /** An anchor (a head recorded earlier, e.g. in an export) checked against the chain. */
  anchor?: ChainAnchor & { matches: boolean };
  durationMs: number;
}

// Rows per page: the walk holds two pages of full rows (the one being checked and the next,
// fetched meanwhile), and an export runs it before it streams, so the page bounds the export's
// memory too (lib/audit/export-memory.test.ts).
const PAGE = 2000;

function chainView(row: AuditChainRow): AuditEventView {
  return {
    seq: row.seq,
    at: row.at,
    type: row.type,
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    subject: {
      collectionId: row.subjectCollectionId,
      documentId: row.subjectDocumentId,
      userId: row.subjectUserId,
      conversationId: row.subjectConversationId,
    },
    payload: row.payload as Record<string, unknown>,
    contentSha256: row.contentSha256,
    prevHash: row.prevHash,
    hash: row.hash,
    content: (row.content as Record<string, unknown> | null) ?? null,
    contentSalt: row.contentSalt,
    redactedAt: row.redactedAt,
  };
}

/**
 * Walks the chain from the first event (or from `from`, an anchor verified earlier: that event
 * must still have the hash recorded for it) to the head as it was when the walk began: every
 * seq present once, each prev_hash equal to the previous hash, each hash recomputed from the row,
 * each unredacted content matching its digest. Names the first event that fails.
 */
export async function verifyChain(
  db: Executor,
  options: { anchor?: ChainAnchor; from?: ChainAnchor | null } = {},
): Promise<ChainVerification> {
  const started = performance.now();
  const head = await getChainHead(db);
  let count = 0;
  let firstBroken: ChainVerification["firstBroken"] = null;
  let anchorMatches: boolean | undefined;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let after = 0;
  const from = options.from ?? null;
  if (from && from.seq > 1) {
    const row = await getAuditEventBySeq(db, { seq: from.seq });
    if (!row) firstBroken = { seq: from.seq, reason: `event ${from.seq}, verified earlier, is missing` };
    else if (row.hash !== from.hash)
      firstBroken = { seq: from.seq, reason: `event ${from.seq} no longer has the hash it had when it was verified` };
    else {
      // The anchor row itself is checked again from its stored prev_hash; the walk goes on from it.
      expectedSeq = from.seq;
      prevHash = row.prevHash;
      after = from.seq - 1;
    }
  }
  const fromSeq = expectedSeq;
  const maxSeq = head?.seq ?? 0;
  const redactions = new RedactionLedger();
  // The server reads the next page while this process hashes the current one.
  const page = (afterSeq: number) =>
    afterSeq < maxSeq ? listAuditChainPage(db, { afterSeq, maxSeq, limit: PAGE }) : Promise.resolve([]);
  let pending = page(after);
  while (!firstBroken && after < maxSeq) {
    const rows = await pending;
    if (rows.length === 0) break;
    const last = rows[rows.length - 1]!.seq;
    pending = page(last);
    for (const row of rows) {
      const view = chainView(row);
      count++;
      if (options.anchor && view.seq === options.anchor.seq) anchorMatches = view.hash === options.anchor.hash;
      if (firstBroken) continue;
      if (view.seq !== expectedSeq) {
        firstBroken = {
          seq: expectedSeq,
          reason: `event ${expectedSeq} is missing (event ${expectedSeq - 1} is followed by ${view.seq})`,
        };
        continue;
      }
      const problem = checkRow(view, prevHash);
      if (problem) firstBroken = problem;
      redactions.see(view);
      prevHash = view.hash;
      expectedSeq = view.seq + 1;
    }
    after = last;
  }
  // A page fetched ahead and not needed (the walk stopped at a break) must not fail unobserved.
  await pending;
  if (!firstBroken && head && expectedSeq !== head.seq + 1) {
    firstBroken = { seq: expectedSeq, reason: `event ${expectedSeq} is missing` };
  }
  const unrecorded = redactions.unrecorded();
  if (!firstBroken && unrecorded.length > 0) {
    firstBroken = {
      seq: unrecorded[0]!,
      reason: `event ${unrecorded[0]}'s content is redacted but no retention.purged event after it names it`,
    };
  }
  if (options.anchor && anchorMatches === undefined && options.anchor.seq < fromSeq) {
    const row = await getAuditEventBySeq(db, { seq: options.anchor.seq });
    anchorMatches = row?.hash === options.anchor.hash;
  }
  const anchor = options.anchor ? { ...options.anchor, matches: anchorMatches === true } : undefined;
  return {
    ok: firstBroken === null && (anchor ? anchor.matches : true),
    count,
    fromSeq,
    head,
    firstBroken,
    ...(anchor ? { anchor } : {}),
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * The most recent point up to which the chain was verified and found intact: the head named by
 * the last successful `audit.verified` event, or the last export that verified before signing
 * (its own event). Verification before the next export starts there instead of at event 1.
 */
export async function lastVerifiedAnchor(db: Executor): Promise<ChainAnchor | null> {
  const rows = await db
    .select({ seq: auditEvents.seq, type: auditEvents.type, payload: auditEvents.payload, hash: auditEvents.hash })
    .from(auditEvents)
    .where(inArray(auditEvents.type, ["audit.verified", "audit.exported"]))
    .orderBy(desc(auditEvents.seq))
    .limit(20);
  for (const r of rows) {
    const p = r.payload as { ok?: unknown; head?: { seq?: unknown; hash?: unknown }; verified?: unknown };
    if (r.type === "audit.exported" && p.verified) return { seq: r.seq, hash: r.hash };
    if (
      r.type === "audit.verified" &&
      p.ok === true &&
      typeof p.head?.seq === "number" &&
      typeof p.head.hash === "string"
    )
      return { seq: p.head.seq, hash: p.head.hash };
  }
  return null;
}
