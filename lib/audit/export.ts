import "server-only";
import { createHash } from "node:crypto";
import type { Database } from "@/db/client";
import { listAuditEventsAscending } from "@/db/queries/audit";
import { describeEvent } from "./describe";
import {
  CSV_COLUMNS,
  CSV_MANIFEST_PREFIX,
  csvField,
  csvText,
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportManifest,
} from "./export-format";
import { resolveAuditFilters, type AuditFilters } from "./filters";
import { signObject, SIGNATURE_ALGORITHM } from "./keys";
import { appendAudit, by } from "./log";
import { eventView, readablePayload } from "./rows";
import type { SigningKey } from "./signing-key";
import type { AuditActor, AuditEventView } from "./types";

// Streams an export in constant memory: rows are read in pages by sequence number and written
// as they come; only the running digest and counters are kept. The export is recorded in the
// chain before its first byte (a failed record fails the export), and that event is the head
// the export is bounded by and names in its signed manifest.

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
  const cells = [
    String(v.seq),
    v.at,
    v.type,
    v.actorId ?? "",
    v.actorEmail ?? "",
    v.subject.collectionId ?? "",
    v.subject.documentId ?? "",
    v.subject.userId ?? "",
    v.subject.conversationId ?? "",
  ].map(csvField);
  cells.push(
    csvText(describeEvent(v.type, readable)),
    csvText(typeof readable.question === "string" ? readable.question : ""),
    csvText(typeof readable.answer === "string" ? readable.answer : ""),
    csvText(model ? [model.kind, model.modelFile].filter(Boolean).join(" ") : ""),
    csvField(JSON.stringify(v.payload)),
    csvField(v.content ? JSON.stringify(v.content) : ""),
    csvField(v.contentSalt ?? ""),
    csvField(v.contentSha256 ?? ""),
    csvField(v.redactedAt ?? ""),
    csvField(v.prevHash),
    csvField(v.hash),
  );
  return cells.join(",") + "\n";
}

export async function startAuditExport(
  db: Database,
  { format, filters, actor, key }: { format: ExportFormat; filters: AuditFilters; actor: AuditActor; key: SigningKey },
): Promise<AuditExport> {
  const query = await resolveAuditFilters(db, filters);
  const createdAt = new Date().toISOString();
  const head = await appendAudit(db, {
    type: "audit.exported",
    ...by(actor),
    payload: { via: actor.via, format, filters, keyFingerprint: key.fingerprint },
  });
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
