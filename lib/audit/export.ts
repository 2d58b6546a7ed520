import "server-only";
import { createHash } from "node:crypto";
import type { Database } from "@/db/client";
import { listAuditEventsAscending } from "@/db/queries/audit";
import { describeEvent } from "./describe";
import { AppError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import {
  CSV_COLUMNS,
  CSV_MANIFEST_PREFIX,
  csvCell,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  FILTERED_COMPLETENESS,
  scopeOf,
  WHOLE_TRAIL_COMPLETENESS,
  type ExportManifest,
} from "./export-format";
import { resolveAuditFilters, type AuditFilters } from "./filters";
import { signObject, SIGNATURE_ALGORITHM } from "./keys";
import { appendAudit, by } from "./log";
import { eventView, readablePayload } from "./rows";
import type { SigningKey } from "./signing-key";
import type { AuditActor, AuditEventView } from "./types";
import { lastVerifiedAnchor, verifyChain, type ChainVerification } from "./verify";

// Streams an export in constant memory: rows are read in pages by sequence number and written
// as they come; only the running digest and counters are kept. The export is recorded in the
// chain before its first byte (a failed record fails the export), and that event is the head
// the export is bounded by and names in its signed manifest.
//
// Nothing is signed over a broken chain: before recording the export, the chain is verified
// from the last verified anchor to the head, and the events appended meanwhile are checked with
// the append lock held, just before the export's own event is chained to them.

export type ExportFormat = "csv" | "jsonl";
const PAGE = 1000;

export interface AuditExport {
  fileName: string;
  contentType: string;
  chunks: AsyncGenerator<Uint8Array>;
}

function jsonlRow(v: AuditEventView): string {
  return JSON.stringify({ kind: "event", ...v }) + "\n";
}

function csvRow(v: AuditEventView): string {
  const readable = readablePayload(v);
  const model = readable.model as { kind?: string; modelFile?: string | null } | undefined;
  // Every column in CSV_COLUMNS order, each made formula-safe (an actor email is whatever a
  // failed sign-in typed).
  return (
    [
      String(v.seq),
      v.at,
      v.type,
      v.actorId ?? "",
      v.actorEmail ?? "",
      v.subject.collectionId ?? "",
      v.subject.documentId ?? "",
      v.subject.userId ?? "",
      v.subject.conversationId ?? "",
      describeEvent(v.type, readable),
      typeof readable.question === "string" ? readable.question : "",
      typeof readable.answer === "string" ? readable.answer : "",
      model ? [model.kind, model.modelFile].filter(Boolean).join(" ") : "",
      JSON.stringify(v.payload),
      v.content ? JSON.stringify(v.content) : "",
      v.contentSalt ?? "",
      v.contentSha256 ?? "",
      v.redactedAt ?? "",
      v.prevHash,
      v.hash,
    ]
      .map(csvCell)
      .join(",") + "\n"
  );
}

export async function startAuditExport(
  ctx: ServiceContext,
  { format, filters, key }: { format: ExportFormat; filters: AuditFilters; key: SigningKey },
): Promise<AuditExport> {
  const { actor, db } = ctx;
  await requireRoleNow(ctx, "compliance", "export the audit trail");
  // A filtered export still carries every retention purge in its range, so each redacted event
  // in it can be checked against the purge that names it.
  const query = { ...(await resolveAuditFilters(db, filters)), alwaysTypes: ["retention.purged"] };
  const scope = scopeOf(filters);
  const anchor = await lastVerifiedAnchor(db);
  const verified = await verifyChain(db, { from: anchor });
  if (!verified.ok) await refuse(db, actor, verified);
  const createdAt = new Date().toISOString();
  const head = await appendAudit(
    db,
    {
      type: "audit.exported",
      ...by(actor),
      payload: {
        via: actor.via,
        format,
        filters,
        scope,
        keyFingerprint: key.fingerprint,
        verified: { fromSeq: verified.fromSeq, throughSeq: verified.head?.seq ?? 0 },
      },
    },
    {
      // The events appended since the walk above, checked with the lock held.
      underLock: async (tx, now) => {
        if (!now || !verified.head || now.seq === verified.head.seq) return;
        const tail = await verifyChain(tx, { from: verified.head });
        if (!tail.ok) throw brokenChain(tail);
      },
    },
  ).catch(async (err: unknown) => {
    if (err instanceof AppError && err.details && (err.details as { brokenSeq?: number }).brokenSeq)
      await recordBroken(db, actor, err.details as BrokenDetails);
    throw err;
  });
  const verifiedBeforeSigning = { fromSeq: verified.fromSeq, throughSeq: head.seq };
  const encoder = new TextEncoder();

  async function* generate(): AsyncGenerator<Uint8Array> {
    const digest = createHash("sha256");
    const emit = (text: string) => {
      const bytes = encoder.encode(text);
      digest.update(bytes);
      return bytes;
    };
    if (format === "jsonl") {
      yield emit(
        JSON.stringify({
          kind: "header",
          format: EXPORT_FORMAT,
          version: EXPORT_VERSION,
          exportFormat: format,
          createdAt,
          filters,
        }) + "\n",
      );
    } else {
      yield emit(CSV_COLUMNS.join(",") + "\n");
    }
    let rowCount = 0;
    let firstSeq: number | null = null;
    let lastSeq: number | null = null;
    let after = 0;
    for (;;) {
      const rows = await listAuditEventsAscending(db, { query, afterSeq: after, maxSeq: head.seq, limit: PAGE });
      if (rows.length === 0) break;
      let text = "";
      for (const row of rows) {
        const view = eventView(row);
        text += format === "jsonl" ? jsonlRow(view) : csvRow(view);
        firstSeq ??= view.seq;
        lastSeq = view.seq;
        rowCount++;
      }
      yield emit(text);
      after = rows[rows.length - 1]!.seq;
      if (rows.length < PAGE) break;
    }
    const manifest: ExportManifest = {
      kind: "manifest",
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportFormat: format,
      createdAt,
      filters,
      scope,
      completeness: scope === "whole-trail" ? WHOLE_TRAIL_COMPLETENESS : FILTERED_COMPLETENESS,
      verifiedBeforeSigning,
      rowCount,
      firstSeq,
      lastSeq,
      chainHead: head,
      bodySha256: digest.digest("hex"),
      signatureAlgorithm: SIGNATURE_ALGORITHM,
      publicKey: key.publicKeyBase64,
      keyFingerprint: key.fingerprint,
    };
    manifest.signature = signObject(key.privateKey, manifest);
    const line = JSON.stringify(manifest);
    yield encoder.encode(format === "jsonl" ? `${line}\n` : `${CSV_MANIFEST_PREFIX}${line}\n`);
  }

  const stamp = createdAt.replace(/[:.]/g, "-");
  return {
    fileName: `audit-export-${stamp}-${head.seq}.${format}`,
    contentType: format === "jsonl" ? "application/x-ndjson; charset=utf-8" : "text/csv; charset=utf-8",
    chunks: generate(),
  };
}

interface BrokenDetails {
  brokenSeq: number;
  reason: string;
  fromSeq: number;
  head: { seq: number; hash: string } | null;
}

function brokenChain(v: ChainVerification): AppError {
  const broken = v.firstBroken ?? { seq: v.fromSeq, reason: "the chain does not verify" };
  return new AppError(
    "conflict",
    `The audit chain is broken at event ${broken.seq}: ${broken.reason}. The export was not signed; ` +
      "run `audit verify` and investigate before exporting.",
    { details: { brokenSeq: broken.seq, reason: broken.reason, fromSeq: v.fromSeq, head: v.head } },
  );
}

/** The refusal is itself recorded, so the broken chain's discovery is on record. */
async function recordBroken(db: Database, actor: AuditActor, d: BrokenDetails): Promise<void> {
  await appendAudit(db, {
    type: "audit.verified",
    ...by(actor),
    payload: {
      via: actor.via,
      ok: false,
      purpose: "export",
      fromSeq: d.fromSeq,
      head: d.head,
      firstBroken: { seq: d.brokenSeq, reason: d.reason },
    },
  });
}

async function refuse(db: Database, actor: AuditActor, v: ChainVerification): Promise<never> {
  const err = brokenChain(v);
  await recordBroken(db, actor, err.details as BrokenDetails);
  throw err;
}

/** The export as a web stream that reads a page only when the client is ready for more. */
export function exportResponseBody(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
