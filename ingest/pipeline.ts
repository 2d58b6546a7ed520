import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { getCollectionById } from "@/db/queries/collections";
import {
  clearCurrentVersionIf,
  getDocumentById,
  getVersionById,
  listRestrictions,
  listVersionTimes,
  setCurrentVersion,
  settleVersionStatuses,
  updateVersion,
} from "@/db/queries/documents";
import { documentVersions } from "@/db/schema";
import { intervalMs, latestPublished, versionIntervals } from "@/lib/documents/effective";
import { lockDocument } from "@/lib/documents/manage";
import { resyncIntervals } from "@/lib/documents/schedule";
import { PermanentJobError } from "@/lib/jobs/worker";
import { appendAudit } from "@/lib/audit/log";
import { log } from "@/lib/log";
import type { Embedder } from "@/lib/models/embedder";
import { detectOptionsFromEnv } from "@/lib/privacy/config";
import { locateFindings, prepareDocument, type DocumentScan } from "@/lib/privacy/document-scan";
import { collectionPolicy } from "@/lib/privacy/collection-policy";
import { deleteOriginal, readOriginal } from "@/lib/storage/files";
import type { ChunkStore } from "@/lib/vector/store";
import type { IndexUpkeep } from "@/lib/vector/upkeep";
import { chunkDocument } from "./chunk/chunker";
import { versionRows } from "./version-rows";
import type { DocumentParser } from "./sandbox/pool";
import { BLOCK_SEPARATOR, canonicalText, ParseError, type ParsedDocument } from "@/lib/documents/parsed";

// From a stored original to searchable chunks. Safe to run again at any point (a crash, a
// retry): chunks are replaced per version in one LanceDB commit, written while the document's
// row is locked, with the document's current restriction. A run cut off between that commit and
// the database commit leaves the new rows beside the old version's until the job is retried.
// The collection's privacy policy applies between parsing and chunking (lib/privacy): personal
// data is tagged, masked or makes the document refused, and a version with prompt-injection
// findings is held in quarantine, out of search, until an administrator releases it.

export interface PipelineDeps {
  db: Database;
  store: ChunkStore;
  embedder: Embedder;
  dataDir: string;
  maxDecompressedBytes: number;
  /** Parses outside this process, with memory and time limits (ingest/sandbox). */
  parser: DocumentParser;
  /** Index upkeep once across the cluster (lib/vector/upkeep.ts); without it, upkeep runs here after each version. */
  upkeep?: IndexUpkeep;
}

export interface Progress {
  progress(fraction: number, message?: string): Promise<void>;
  /** Aborted when the job is cancelled or taken over: stops the parse. */
  signal?: AbortSignal;
}

type VersionRow = NonNullable<Awaited<ReturnType<typeof getVersionById>>>;
type DocumentRow = NonNullable<Awaited<ReturnType<typeof getDocumentById>>>;

/** Injection findings as the audit trail records them: kinds, confidence and where, with the masked excerpt. */
function recordedFindings(scan: DocumentScan) {
  return scan.injection.map((f) => ({
    kind: f.kind,
    confidence: f.confidence,
    source: f.source,
    passage: f.passage,
    excerpt: f.excerpt,
  }));
}

/**
 * Where each page begins in the canonical text (index 0 is page 1), for the masked rendition's page
 * anchors; null for formats without pages. A page without text starts where the next text does.
 */
export function pageStartOffsets(doc: Pick<ParsedDocument, "blocks" | "pageCount">): number[] | null {
  if (!doc.pageCount || !doc.blocks.some((b) => b.page !== undefined)) return null;
  const starts: number[] = [];
  let offset = 0;
  for (const block of doc.blocks) {
    if (block.page !== undefined) while (starts.length < block.page) starts.push(offset);
    offset += block.text.length + BLOCK_SEPARATOR.length;
  }
  return starts;
}

/** A version that cannot be read: marked failed, and recorded, together. */
async function markFailed(
  db: Database,
  {
    document,
    version,
    errorCode,
    error,
  }: { document: DocumentRow; version: VersionRow; errorCode: string; error: string },
) {
  await db.transaction(async (tx) => {
    await updateVersion(tx, { id: version.id, status: "failed", errorCode, error, processedAt: new Date() });
    await appendAudit(tx, {
      type: "document.ingest_failed",
      actorId: null,
      subject: { documentId: document.id, collectionId: document.collectionId },
      payload: {
        via: "system",
        name: document.name,
        versionId: version.id,
        versionNumber: version.versionNumber,
        sha256: version.sha256,
        errorCode,
        error,
      },
    });
  });
}

export async function ingestVersion(deps: PipelineDeps, versionId: string, report: Progress): Promise<string> {
  const { db, store, embedder } = deps;
  const version = await getVersionById(db, { id: versionId });
  if (!version || version.status === "deleted" || !version.storagePath) return "skipped: the version was deleted";
  const document = await getDocumentById(db, { id: version.documentId });
  if (!document || document.status !== "active") return "skipped: the document was deleted";

  await updateVersion(db, { id: versionId, status: "processing", error: null, errorCode: null });
  await report.progress(0.02, "Reading the file");
  const bytes = await readOriginal(deps.dataDir, {
    id: version.id,
    storagePath: version.storagePath,
    dataKey: version.dataKey,
  });

  let parsed: ParsedDocument;
  try {
    parsed = await deps.parser.parse(bytes, {
      filename: version.originalName,
      maxDecompressedBytes: deps.maxDecompressedBytes,
      signal: report.signal,
      onProgress: (page, total) => {
        // A claim lost meanwhile aborts the signal, which stops the parse; nothing to do here.
        report
          .progress(0.02 + (0.06 * page) / total, `Reading page ${page} of ${total} with OCR`)
          .catch((err: unknown) => log.debug("OCR progress not recorded", { versionId, err }));
      },
    });
  } catch (err) {
    if (err instanceof ParseError) {
      await markFailed(db, { document, version, errorCode: err.code, error: err.message });
      throw new PermanentJobError(err.message, { cause: err });
    }
    throw err;
  }
  await report.progress(0.08, "Checking for personal data and prompt injection");
  const collection = await getCollectionById(db, { id: document.collectionId });
  if (!collection) return "skipped: the collection was deleted";
  const prepared = prepareDocument(parsed, collectionPolicy(collection), detectOptionsFromEnv());
  if (prepared.rejection) return refuse(deps, { version, document, message: prepared.rejection, scan: prepared.scan });
  parsed = prepared.document;

  await report.progress(0.1, "Splitting into passages");
  const text = canonicalText(parsed);
  const pageStarts = pageStartOffsets(parsed);
  const chunks = chunkDocument(parsed, { maxTokens: embedder.maxTokens });
  const scan = locateFindings(prepared.scan, chunks);
  const piiTypes = Object.keys(scan.pii).sort();
  const warnings = [...parsed.warnings, ...prepared.warnings];
  if (chunks.length === 0) {
    const message = "No extractable text.";
    await markFailed(db, { document, version, errorCode: "no_text", error: message });
    throw new PermanentJobError(message);
  }

  const released = version.reviewDecision === "released";
  if (scan.quarantined && !released) {
    return quarantine(deps, {
      version,
      document,
      values: {
        format: parsed.format,
        title: parsed.title ?? document.name,
        pageCount: parsed.pageCount ?? null,
        chunkCount: chunks.length,
        text,
        pageStarts,
        warnings,
        piiTypes,
        scan,
        ocr: parsed.ocr ?? null,
      },
    });
  }

  const vectors: Float32Array[] = [];
  const batch = 64;
  for (let i = 0; i < chunks.length; i += batch) {
    vectors.push(...(await embedder.embed(chunks.slice(i, i + batch).map((c) => c.text))));
    await report.progress(
      0.1 + 0.8 * Math.min(1, (i + batch) / chunks.length),
      `Embedding passages ${Math.min(i + batch, chunks.length)}/${chunks.length}`,
    );
  }

  const title = parsed.title ?? document.name;
  const spans = prepared.spans;
  await report.progress(0.92, "Writing the search index");

  // Published under the document's row lock: a restriction changed at the same moment (which
  // takes the same lock) is either already in the rows written here or applied to them after.
  // Writing the rows with their final restriction, rather than updating them afterwards, keeps
  // LanceDB from rewriting indexed rows on every ingest.
  const published = await db.transaction(async (tx) => {
    const row = await lockDocument(tx, document.id);
    const current = await tx
      .select({ status: documentVersions.status })
      .from(documentVersions)
      .where(eq(documentVersions.id, versionId));
    if (!row || row.status !== "active" || !current[0] || current[0].status === "deleted") return false;
    const restrictions = (await listRestrictions(tx, { documentIds: [document.id] })).get(document.id) ?? [];
    // Older versions stay searchable for "as of" questions: this version's arrival ends the one
    // before it in effect order, so the intervals of the others are recomputed with it, and only
    // rows whose interval moved are rewritten.
    const times = await listVersionTimes(tx, { documentIds: [document.id] });
    const before = versionIntervals(times);
    const withThis = times.map((v) => (v.id === versionId ? { ...v, status: "ready" as const } : v));
    const after = versionIntervals(withThis);
    const interval = after.get(versionId)!;
    await store.replaceVersionChunks(
      versionId,
      versionRows({
        chunks,
        vectors,
        document,
        versionId,
        title,
        spans,
        restrictedTo: restrictions.map((g) => g.id),
        interval,
      }),
    );
    for (const [id, next] of after) {
      const prev = before.get(id);
      if (
        id === versionId ||
        (prev && prev.from.getTime() === next.from.getTime() && prev.until?.getTime() === next.until?.getTime())
      )
        continue;
      await store.setVersionInterval(id, intervalMs(next));
    }
    const scheduled = interval.from.getTime() > Date.now();
    await updateVersion(tx, {
      id: versionId,
      status: "ready",
      format: parsed.format,
      title,
      pageCount: parsed.pageCount ?? null,
      chunkCount: chunks.length,
      text,
      pageStarts,
      warnings,
      piiTypes,
      scan: released ? { ...scan, quarantined: false } : scan,
      ocr: parsed.ocr ?? null,
      embedderId: embedder.id,
      processedAt: new Date(),
      // A scheduled version's taking effect is recorded when its date has come (lib/documents/schedule).
      ...(version.effectRecordedAt === null && !scheduled ? { effectRecordedAt: new Date() } : {}),
    });
    const latest = latestPublished(withThis)!;
    const superseded = await settleVersionStatuses(tx, { documentId: document.id, latestId: latest.id });
    await setCurrentVersion(tx, { documentId: document.id, versionId: latest.id });
    await appendAudit(tx, {
      type: "document.published",
      actorId: null,
      subject: { documentId: document.id, collectionId: document.collectionId },
      payload: {
        via: "system",
        name: document.name,
        versionId,
        versionNumber: version.versionNumber,
        sha256: version.sha256,
        format: parsed.format,
        title,
        chunkCount: chunks.length,
        embedderId: embedder.id,
        supersededVersionIds: superseded,
        effectiveFrom: interval.from.toISOString(),
        effectiveUntil: interval.until?.toISOString() ?? null,
        scheduled,
      },
    });
    // Under the "warn" policy the findings are on record next to the publication.
    if (!released && scan.injection.length > 0) {
      await appendAudit(tx, {
        type: "document.injection_warning",
        actorId: null,
        subject: { documentId: document.id, collectionId: document.collectionId },
        payload: {
          via: "system",
          name: document.name,
          versionId,
          versionNumber: version.versionNumber,
          sha256: version.sha256,
          policy: scan.injectionPolicy,
          findings: recordedFindings(scan),
        },
      });
    }
    return true;
  });
  if (!published) {
    // An earlier, interrupted run may have written rows for a document deleted since.
    if ((await store.deleteVersion(versionId)) > 0) await store.eraseRemoved();
    return "skipped: the document was deleted while it was processed";
  }
  // A re-check (after a policy change) replaced the rows of a published version: under `mask`
  // the replaced rows hold the values now masked, so they leave the index's files at once.
  if (version.processedAt !== null) await store.eraseRemoved();
  // Index upkeep is not part of the document's ingestion: searches also cover rows not yet in
  // an index, so a failure here is logged and left to the next ingest, never failing this one.
  try {
    if (deps.upkeep) await deps.upkeep.afterWrite();
    else await store.ensureIndexes();
  } catch (err) {
    log.warn("search index maintenance failed; searches still cover unindexed rows", { err });
  }
  const passages = `${chunks.length} passage${chunks.length === 1 ? "" : "s"}`;
  return parsed.pageCount
    ? `${passages} from ${parsed.pageCount} page${parsed.pageCount === 1 ? "" : "s"}`
    : `${passages} from ${parsed.format}`;
}

/**
 * A version the policy refuses: no text, no chunks and no original are kept (the point of the
 * policy is not to hold that data), and if it was the current version (a re-check after a policy
 * change) it leaves search.
 */
async function refuse(
  deps: PipelineDeps,
  {
    version,
    document,
    message,
    scan,
  }: { version: VersionRow; document: DocumentRow; message: string; scan: DocumentScan },
): Promise<never> {
  const { db, store } = deps;
  const versionId = version.id;
  const documentId = document.id;
  const storagePath = await db.transaction(async (tx) => {
    await lockDocument(tx, documentId);
    const current = await getVersionById(tx, { id: versionId });
    await updateVersion(tx, {
      id: versionId,
      status: "failed",
      errorCode: "pii_rejected",
      error: message,
      text: null,
      storagePath: null,
      dataKey: null,
      piiTypes: Object.keys(scan.pii).sort(),
      scan,
      processedAt: new Date(),
    });
    await clearCurrentVersionIf(tx, { documentId, versionId });
    // The version before it in effect order is in effect again where this one was.
    await resyncIntervals(tx, store, documentId);
    await appendAudit(tx, {
      type: "document.ingest_failed",
      actorId: null,
      subject: { documentId, collectionId: document.collectionId },
      payload: {
        via: "system",
        name: document.name,
        versionId,
        versionNumber: version.versionNumber,
        sha256: version.sha256,
        errorCode: "pii_rejected",
        error: message,
        pii: scan.pii,
      },
    });
    return current?.storagePath ?? null;
  });
  // A re-check of a published version: its text leaves the index's files too, not only search.
  if ((await store.deleteVersion(versionId)) > 0) await store.eraseRemoved();
  if (storagePath) await deleteOriginal(deps.dataDir, storagePath);
  throw new PermanentJobError(message);
}

/**
 * Holds a version out of search until an administrator reviews it: its text and findings are
 * kept for the review, nothing is embedded, and chunks an earlier run wrote (a re-check of a
 * current version) are removed.
 */
async function quarantine(
  deps: PipelineDeps,
  {
    version,
    document,
    values,
  }: {
    version: VersionRow;
    document: DocumentRow;
    values: Omit<Parameters<typeof updateVersion>[1], "id"> & { scan: DocumentScan };
  },
): Promise<string> {
  const { db, store } = deps;
  const versionId = version.id;
  const documentId = document.id;
  const findings = values.scan.injection.length;
  const held = await db.transaction(async (tx) => {
    const row = await lockDocument(tx, documentId);
    const current = await tx
      .select({ status: documentVersions.status })
      .from(documentVersions)
      .where(eq(documentVersions.id, versionId));
    if (!row || row.status !== "active" || !current[0] || current[0].status === "deleted") return false;
    await updateVersion(tx, { ...values, id: versionId, status: "quarantined", processedAt: new Date() });
    await clearCurrentVersionIf(tx, { documentId, versionId });
    await resyncIntervals(tx, store, documentId);
    await appendAudit(tx, {
      type: "document.quarantined",
      actorId: null,
      subject: { documentId, collectionId: document.collectionId },
      payload: {
        via: "system",
        name: document.name,
        versionId,
        versionNumber: version.versionNumber,
        sha256: version.sha256,
        policy: "quarantine",
        findings: recordedFindings(values.scan),
      },
    });
    return true;
  });
  if ((await store.deleteVersion(versionId)) > 0) await store.eraseRemoved();
  if (!held) return "skipped: the document was deleted while it was processed";
  log.info("version quarantined for review", { versionId, findings });
  return `quarantined for review: ${findings} possible prompt injection${findings === 1 ? "" : "s"}`;
}
