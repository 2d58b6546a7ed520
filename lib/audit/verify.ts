import "server-only";
import type { Executor } from "@/db/client";
import { listAuditEventsAscending } from "@/db/queries/audit";
import { GENESIS_HASH } from "./canonical";
import { checkRow } from "./check-row";
import { getChainHead } from "./log";
import { eventView } from "./rows";

export interface ChainVerification {
  ok: boolean;
  /** Events checked (up to the head when the walk started). */
  count: number;
  head: { seq: number; hash: string } | null;
  /** The first sequence number that fails, and why; null when the chain is intact. */
  firstBroken: { seq: number; reason: string } | null;
  /** An anchor (a head recorded earlier, e.g. in an export) checked against the chain. */
  anchor?: { seq: number; hash: string; matches: boolean };
  durationMs: number;
}

const PAGE = 2000;

/**
 * Walks the chain from the first event to the head as it was when the walk began: every seq
 * present once, each prev_hash equal to the previous hash, each hash recomputed from the row,
 * each unredacted content matching its digest. Names the first event that fails.
 */
export async function verifyChain(
  db: Executor,
  options: { anchor?: { seq: number; hash: string } } = {},
): Promise<ChainVerification> {
  const started = performance.now();
  const head = await getChainHead(db);
  let count = 0;
  let firstBroken: ChainVerification["firstBroken"] = null;
  let anchorMatches: boolean | undefined;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let after = 0;
  const maxSeq = head?.seq ?? 0;
  while (after < maxSeq) {
    const rows = await listAuditEventsAscending(db, { query: {}, afterSeq: after, maxSeq, limit: PAGE });
    if (rows.length === 0) break;
    for (const row of rows) {
      const view = eventView(row);
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
      prevHash = view.hash;
      expectedSeq = view.seq + 1;
    }
    after = rows[rows.length - 1]!.seq;
  }
  if (!firstBroken && head && expectedSeq !== head.seq + 1) {
    firstBroken = { seq: expectedSeq, reason: `event ${expectedSeq} is missing` };
  }
  const anchor = options.anchor ? { ...options.anchor, matches: anchorMatches === true } : undefined;
  return {
    ok: firstBroken === null && (anchor ? anchor.matches : true),
    count,
    head,
    firstBroken,
    ...(anchor ? { anchor } : {}),
    durationMs: Math.round(performance.now() - started),
  };
}
