import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { canonicalJson, eventHash, GENESIS_HASH } from "./canonical";
import { checkContent, RedactionLedger } from "./check-row";
import {
  CSV_COLUMNS,
  CSV_MANIFEST_PREFIX,
  csvUncell,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  FILTERED_COMPLETENESS,
  scopeOf,
  WHOLE_TRAIL_COMPLETENESS,
  type ExportManifest,
  type ExportScope,
} from "./export-format";
import { keyFingerprint, verifyObject, type TrustedKey } from "./keys";
import type { AuditEventView } from "./types";

// Checks an export file offline: it needs the file and a public key the person checking trusts
// (given to them, or this installation's own). The public key inside the file is never trusted:
// anyone who rewrites a file can sign it with a key of their own and put that key in it.
// Reads the file once, line by line, in constant memory.

export interface ExportCheck {
  ok: boolean;
  format: "csv" | "jsonl" | null;
  rows: number;
  firstSeq: number | null;
  lastSeq: number | null;
  chainHead: { seq: number; hash: string } | null;
  createdAt: string | null;
  filters: Record<string, unknown> | null;
  /** The whole trail (which must be contiguous) or a filtered selection, as the signed manifest says. */
  scope: ExportScope | null;
  /** What the file can and cannot prove about completeness. */
  completeness: string | null;
  /** The key the manifest names (not trusted for anything). */
  keyFingerprint: string | null;
  /** The key the signature was checked against, and why that key is trusted; null when none was available. */
  trustedKey: { fingerprint: string; reason: string } | null;
  /** trusted: a valid signature by the trusted key; untrusted: not; unknown: no trusted key to check against. */
  signer: "trusted" | "untrusted" | "unknown";
  /** Runs of sequence numbers missing between the file's events (a failure only in a whole-trail export). */
  gaps: { from: number; to: number }[];
  problems: string[];
}

/** Names the runs of missing events: "20", "35–37". */
function describeGaps(gaps: { from: number; to: number }[], total: number): string {
  const shown = gaps.slice(0, 200).map((g) => (g.from === g.to ? `${g.from}` : `${g.from}–${g.to}`));
  const more = total > shown.length ? ` and ${total - shown.length} more run(s)` : "";
  return shown.join(", ") + more;
}

/** Yields the file's lines (each with its "\n"), holding back the last one, which it returns. */
async function* linesExceptLast(file: string): AsyncGenerator<string, string | null> {
  let pending = "";
  let held: string | null = null;
  for await (const chunk of fs.createReadStream(file, { encoding: "utf8", highWaterMark: 256 * 1024 })) {
    pending += chunk as string;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl + 1);
      pending = pending.slice(nl + 1);
      if (held !== null) yield held;
      held = line;
    }
  }
  if (pending !== "") {
    // No final newline: the last line is what remains.
    if (held !== null) yield held;
    return pending;
  }
  return held;
}

function fromCsv(record: string[]): AuditEventView {
  const c = Object.fromEntries(CSV_COLUMNS.map((name, i) => [name, record[i] ?? ""])) as Record<
    (typeof CSV_COLUMNS)[number],
    string
  >;
  for (const name of CSV_COLUMNS) c[name] = csvUncell(c[name]);
  const orNull = (v: string) => (v === "" ? null : v);
  return {
    seq: Number(c.seq),
    at: c.at,
    type: c.type,
    actorId: orNull(c.actor_id),
    actorEmail: orNull(c.actor_email),
    subject: {
      collectionId: orNull(c.subject_collection_id),
      documentId: orNull(c.subject_document_id),
      userId: orNull(c.subject_user_id),
      conversationId: orNull(c.subject_conversation_id),
    },
    payload: JSON.parse(c.payload_json) as Record<string, unknown>,
    content: c.content_json ? (JSON.parse(c.content_json) as Record<string, unknown>) : null,
    contentSalt: orNull(c.content_salt),
    contentSha256: orNull(c.content_sha256),
    redactedAt: orNull(c.redacted_at),
    prevHash: c.prev_hash,
    hash: c.hash,
  };
}

export async function verifyExportFile(file: string, options: { trusted: TrustedKey | null }): Promise<ExportCheck> {
  const result: ExportCheck = {
    ok: false,
    format: null,
    rows: 0,
    firstSeq: null,
    lastSeq: null,
    chainHead: null,
    createdAt: null,
    filters: null,
    scope: null,
    completeness: null,
    keyFingerprint: null,
    trustedKey: options.trusted
      ? { fingerprint: keyFingerprint(options.trusted.key), reason: options.trusted.reason }
      : null,
    signer: "unknown",
    gaps: [],
    problems: [],
  };
  let gapCount = 0;
  const problems = result.problems;
  const MAX_PROBLEMS = 20;
  const problem = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  if (!fs.existsSync(file)) throw new Error(`No such file: ${file}`);

  const digest = createHash("sha256");
  const lines = linesExceptLast(file);
  let last: string | null = null;
  let first = true;
  let headerFilters: unknown;
  let isCsv = false;

  // The body: every line but the last, hashed as read.
  async function* body(): AsyncGenerator<string> {
    for (;;) {
      const next = await lines.next();
      if (next.done) {
        last = next.value;
        return;
      }
      digest.update(next.value, "utf8");
      yield next.value;
    }
  }

  let prev: AuditEventView | null = null;
  const redactions = new RedactionLedger();
  const onRow = (row: AuditEventView) => {
    result.rows++;
    result.firstSeq ??= row.seq;
    if (!Number.isSafeInteger(row.seq) || row.seq < 1) {
      problem(`row ${result.rows}: invalid seq`);
      return;
    }
    if (prev && row.seq <= prev.seq) problem(`event ${row.seq}: out of order (after ${prev.seq})`);
    const gapFrom = prev ? prev.seq + 1 : 1;
    if (row.seq > gapFrom) {
      gapCount++;
      if (result.gaps.length < 10_000) result.gaps.push({ from: gapFrom, to: row.seq - 1 });
    }
    if (!prev && row.seq === 1 && row.prevHash !== GENESIS_HASH)
      problem("event 1: prev_hash is not the chain's starting value");
    if (prev && row.seq === prev.seq + 1 && row.prevHash !== prev.hash)
      problem(`event ${row.seq}: prev_hash does not match the hash of event ${prev.seq}`);
    let expected: string | null = null;
    try {
      expected = eventHash(row.prevHash, row);
    } catch (err) {
      problem(`event ${row.seq}: cannot be hashed (${err instanceof Error ? err.message : String(err)})`);
    }
    if (expected !== null && expected !== row.hash) problem(`event ${row.seq}: its contents do not match its hash`);
    const contentProblem = checkContent(row);
    if (contentProblem) problem(`event ${row.seq}: ${contentProblem.reason}`);
    redactions.see(row);
    result.lastSeq = row.seq;
    prev = row;
  };

  const it = body();
  const firstLine = await it.next();
  if (firstLine.done) {
    problem("The file has no manifest: it is empty or was cut short.");
  } else {
    const line = firstLine.value;
    if (line.startsWith("{")) {
      result.format = "jsonl";
      try {
        const header = JSON.parse(line) as { kind?: string; format?: string; filters?: unknown };
        if (header.kind !== "header" || header.format !== EXPORT_FORMAT)
          problem("The first line is not an export header.");
        headerFilters = header.filters;
      } catch {
        problem("The first line is not JSON.");
      }
      let lineNo = 1;
      for await (const l of it) {
        lineNo++;
        try {
          const parsed = JSON.parse(l) as AuditEventView & { kind?: string };
          if (parsed.kind !== "event") {
            problem(`line ${lineNo}: not an event`);
            continue;
          }
          const { kind: _kind, ...row } = parsed;
          void _kind;
          onRow(row);
        } catch {
          problem(`line ${lineNo}: not valid JSON`);
        }
      }
    } else {
      result.format = "csv";
      isCsv = true;
      async function* all(): AsyncGenerator<string> {
        yield line;
        yield* it;
      }
      const parser = Readable.from(all()).pipe(parse({ relax_column_count: true }));
      for await (const record of parser as AsyncIterable<string[]>) {
        if (first) {
          first = false;
          if (record.join(",") !== CSV_COLUMNS.join(",")) problem("The header row is not the export's columns.");
          continue;
        }
        try {
          onRow(fromCsv(record));
        } catch {
          problem(`CSV row ${result.rows + 1}: payload_json or content_json is not valid JSON`);
          result.rows++;
        }
      }
    }
  }
  // Drain whatever the CSV parser left unread so `last` is set.
  for await (const _ of it) void _;

  const lastLine = last as string | null;
  let manifest: ExportManifest | null = null;
  if (lastLine !== null) {
    const text = lastLine.replace(/\n$/, "");
    const json = isCsv ? (text.startsWith(CSV_MANIFEST_PREFIX) ? text.slice(CSV_MANIFEST_PREFIX.length) : null) : text;
    try {
      manifest = json ? (JSON.parse(json) as ExportManifest) : null;
    } catch {
      manifest = null;
    }
  }
  if (!manifest || manifest.kind !== "manifest" || manifest.format !== EXPORT_FORMAT) {
    problem("The last line is not a signed manifest: the file was cut short or altered.");
    return result;
  }
  if (manifest.version !== EXPORT_VERSION) {
    problem(
      `Export version ${manifest.version} is not supported (this check reads version ${EXPORT_VERSION}); export again.`,
    );
    return result;
  }
  result.chainHead = manifest.chainHead;
  result.createdAt = manifest.createdAt;
  result.filters = manifest.filters;
  result.keyFingerprint = manifest.keyFingerprint;
  result.scope = manifest.scope === "whole-trail" || manifest.scope === "filtered" ? manifest.scope : null;
  if (!result.scope) problem("The manifest does not say whether the export is the whole trail or filtered.");
  result.completeness = result.scope === "filtered" ? FILTERED_COMPLETENESS : WHOLE_TRAIL_COMPLETENESS;

  // The signature, checked only against the trusted key; the key the file names is compared, never used.
  const { signature, ...unsigned } = manifest;
  if (options.trusted) {
    const trustedPrint = keyFingerprint(options.trusted.key);
    let valid = false;
    try {
      valid = typeof signature === "string" && verifyObject(options.trusted.key, unsigned, signature);
    } catch (err) {
      problem(err instanceof Error ? err.message : String(err));
    }
    result.signer = valid ? "trusted" : "untrusted";
    if (!valid)
      problem(
        manifest.keyFingerprint === trustedPrint
          ? "The manifest's signature is not valid for the trusted key."
          : `The export is not signed by the trusted key ${trustedPrint} (the file names ${String(manifest.keyFingerprint)}).`,
      );
  }
  if (digest.digest("hex") !== manifest.bodySha256)
    problem("The file's content does not match the digest in its manifest: it was altered.");
  if (manifest.exportFormat !== result.format)
    problem(`The manifest says ${manifest.exportFormat} but the file is ${result.format}.`);
  if (manifest.rowCount !== result.rows)
    problem(`The manifest counts ${manifest.rowCount} events; the file holds ${result.rows}.`);
  if (manifest.firstSeq !== result.firstSeq || manifest.lastSeq !== result.lastSeq) {
    problem(
      `The manifest spans events ${manifest.firstSeq}–${manifest.lastSeq}; the file holds ${result.firstSeq}–${result.lastSeq}.`,
    );
  }
  if (result.lastSeq !== null && manifest.chainHead && result.lastSeq > manifest.chainHead.seq)
    problem("The file holds events after the chain head it names.");
  // Exports carry every retention.purged event in their range, filtered or not, for this check.
  const unrecorded = redactions.unrecorded();
  if (unrecorded.length > 0)
    problem(
      `Redacted without a retention purge naming them: event(s) ${unrecorded.slice(0, 50).join(", ")}${unrecorded.length > 50 ? ` and ${unrecorded.length - 50} more` : ""}.`,
    );
  if (result.scope === "whole-trail") {
    // The whole trail runs from 1 to the head it names with nothing missing; every gap is named.
    const headSeq = manifest.chainHead?.seq ?? 0;
    if (result.lastSeq !== null && headSeq > result.lastSeq) {
      gapCount++;
      result.gaps.push({ from: result.lastSeq + 1, to: headSeq });
    }
    if (result.rows === 0) problem("The whole-trail export holds no events.");
    // Pushed whatever else was found: a thinned export is the finding that matters most.
    if (gapCount > 0)
      problems.unshift(`The whole-trail export is missing events ${describeGaps(result.gaps, gapCount)}.`);
    if (scopeOf(manifest.filters) !== "whole-trail") problem("The manifest says whole trail but lists filters.");
  }
  const lastRow = prev as AuditEventView | null;
  if (
    lastRow &&
    manifest.chainHead &&
    lastRow.seq === manifest.chainHead.seq &&
    lastRow.hash !== manifest.chainHead.hash
  ) {
    problem("The last event's hash is not the chain head the manifest names.");
  }
  if (result.format === "jsonl" && canonicalJson(headerFilters ?? null) !== canonicalJson(manifest.filters ?? null)) {
    problem("The header's filters differ from the manifest's.");
  }
  result.ok = problems.length === 0 && result.signer === "trusted";
  return result;
}
