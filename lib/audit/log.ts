import "server-only";
import { randomBytes } from "node:crypto";
import { desc, inArray, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditEventContents, auditEventRefs, auditEvents, documents } from "@/db/schema";
import { asStoredJson, contentDigest, eventHash, GENESIS_HASH } from "./canonical";
import { splitContent } from "./content";
import { searchTextOf } from "./search-text";
import { isAuditEventType, type AuditActor, type AuditEventInput, type ChainedFields } from "./types";

// Appends to the hash chain. Callers pass their own transaction so the event commits or rolls
// back with the change it records; any failure here propagates and fails that request.
//
// Appends are serialised by a transaction-scoped advisory lock (PGlite is one process, and the
// lock works there too). The lock is held until the caller's transaction ends, so append last
// in a transaction, after slow work and after taking any row locks, which also rules out
// deadlocks with code that locks rows first.

// Any constant works; it only has to be the same in every process appending to this database.
export const AUDIT_LOCK_KEY = 7_402_117_732;
const INSERT_BATCH = 1000;

export interface AppendResult {
  seq: number;
  hash: string;
}

export interface Prepared {
  input: AuditEventInput;
  payload: Record<string, unknown>;
  content: Record<string, unknown> | null;
  salt: string | null;
  contentSha256: string | null;
  search: string;
  contentSearch: string;
  documentIds: string[];
  collectionIds: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function ids(values: unknown[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === "string" && UUID.test(v)))];
}

/** Collections and documents an event concerns, for the console's filters. */
function refsOf(input: AuditEventInput): { documentIds: string[]; collectionIds: string[] } {
  const p = input.payload as {
    retrieved?: { documentId?: unknown }[];
    citations?: { documentId?: unknown }[];
    allowedCollections?: { id?: unknown }[];
  };
  const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
  return {
    documentIds: ids([
      input.subject?.documentId,
      ...list(p.retrieved).map((r) => r?.documentId),
      ...list(p.citations).map((c) => c?.documentId),
    ]),
    collectionIds: ids([input.subject?.collectionId, ...list(p.allowedCollections).map((c) => c?.id)]),
  };
}

/** Validates an event and works out what is stored for it; throws naming what is wrong. */
export function prepare(given: AuditEventInput): Prepared {
  if (!isAuditEventType(given.type)) throw new Error(`Unknown audit event type "${String(given.type)}".`);
  if (!given.payload || typeof given.payload !== "object" || Array.isArray(given.payload)) {
    throw new Error(`The payload of a ${given.type} event must be an object.`);
  }
  // A conversation event names its conversation in the payload; retention and the conversation
  // index read it from the subject, so it is filled in when the caller left it out.
  const conversationId = given.payload.conversationId;
  const input: AuditEventInput =
    !given.subject?.conversationId && typeof conversationId === "string" && UUID.test(conversationId)
      ? { ...given, subject: { ...given.subject, conversationId } }
      : given;
  const { payload, content } = splitContent(input.type, asStoredJson(input.payload));
  const salt = content ? randomBytes(16).toString("hex") : null;
  return {
    input,
    payload,
    content,
    salt,
    contentSha256: content && salt ? contentDigest(salt, content) : null,
    search: searchTextOf(input.type.replace(".", " "), input.actorEmail ?? "", payload),
    contentSearch: content ? searchTextOf(content) : "",
    ...refsOf(input),
  };
}

/** The last event of the chain, or null when it is empty. */
export async function getChainHead(db: Executor): Promise<{ seq: number; hash: string } | null> {
  const [row] = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row ?? null;
}

export interface AppendOptions {
  /**
   * Runs with the append lock held, before the events are written, given the head they will
   * follow; throwing aborts the append. Exports use it to check the events appended since they
   * verified the chain, so nothing can slip in between the check and the signed head.
   */
  underLock?: (tx: Executor, head: AppendResult | null) => Promise<void>;
}

/** Appends one event; see appendAuditBatch. */
export async function appendAudit(
  db: Executor,
  event: AuditEventInput,
  options: AppendOptions = {},
): Promise<AppendResult> {
  const [result] = await appendAuditBatch(db, [event], options);
  return result!;
}

/**
 * Appends events in order under one lock: the chain is computed in memory and written with
 * multi-row inserts, which is what makes bulk loading (and the benchmark) fast.
 */
export async function appendAuditBatch(
  db: Executor,
  events: AuditEventInput[],
  options: AppendOptions = {},
): Promise<AppendResult[]> {
  if (events.length === 0) return [];
  const prepared = events.map(prepare);
  // A savepoint inside the caller's transaction, or a transaction of its own.
  return db.transaction(async (tx) => {
    // Collections of the documents an event names, looked up now: the document may be gone later.
    const docIds = [...new Set(prepared.flatMap((p) => p.documentIds))];
    const collectionOf = new Map<string, string>();
    for (let i = 0; i < docIds.length; i += INSERT_BATCH) {
      const rows = await tx
        .select({ id: documents.id, collectionId: documents.collectionId })
        .from(documents)
        .where(inArray(documents.id, docIds.slice(i, i + INSERT_BATCH)));
      for (const r of rows) collectionOf.set(r.id, r.collectionId);
    }

    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
    const head = await getChainHead(tx);
    if (options.underLock) await options.underLock(tx, head);
    const rows = chainRows(prepared, head, Date.now());
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const slice = rows.slice(i, i + INSERT_BATCH);
      await tx.insert(auditEvents).values(
        slice.map((r) => ({
          seq: r.fields.seq,
          at: r.at,
          type: r.fields.type,
          actorId: r.fields.actorId,
          actorEmail: r.fields.actorEmail,
          subjectCollectionId: r.fields.subject.collectionId,
          subjectDocumentId: r.fields.subject.documentId,
          subjectUserId: r.fields.subject.userId,
          subjectConversationId: r.fields.subject.conversationId,
          payload: r.fields.payload,
          contentSha256: r.fields.contentSha256,
          prevHash: r.prevHash,
          hash: r.hash,
          search: sql`to_tsvector('simple', ${r.p.search})`,
        })),
      );
      const contents = slice.filter((r) => r.p.content);
      if (contents.length > 0) {
        await tx.insert(auditEventContents).values(
          contents.map((r) => ({
            seq: r.fields.seq,
            content: r.p.content,
            salt: r.p.salt,
            search: sql`to_tsvector('simple', ${r.p.contentSearch})`,
          })),
        );
      }
      const refs = slice.flatMap((r) => {
        const collections = new Set(r.p.collectionIds);
        for (const d of r.p.documentIds) {
          const c = collectionOf.get(d);
          if (c) collections.add(c);
        }
        return [
          ...[...collections].map((collectionId) => ({ seq: r.fields.seq, collectionId, documentId: null })),
          ...r.p.documentIds.map((documentId) => ({ seq: r.fields.seq, collectionId: null, documentId })),
        ];
      });
      for (let j = 0; j < refs.length; j += INSERT_BATCH)
        await tx.insert(auditEventRefs).values(refs.slice(j, j + INSERT_BATCH));
    }
    return rows.map((r) => ({ seq: r.fields.seq, hash: r.hash }));
  });
}

export interface ChainedRow {
  p: Prepared;
  at: Date;
  fields: ChainedFields;
  prevHash: string;
  hash: string;
}

/** The events chained after `head`, in order, one hash each; all carry the instant `now`. */
export function chainRows(prepared: Prepared[], head: AppendResult | null, now: number): ChainedRow[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return prepared.map((p) => {
    seq += 1;
    const at = new Date(now);
    const fields: ChainedFields = {
      seq,
      at: at.toISOString(),
      type: p.input.type,
      actorId: p.input.actorId,
      actorEmail: p.input.actorEmail ?? null,
      subject: {
        collectionId: p.input.subject?.collectionId ?? null,
        documentId: p.input.subject?.documentId ?? null,
        userId: p.input.subject?.userId ?? null,
        conversationId: p.input.subject?.conversationId ?? null,
      },
      payload: p.payload,
      contentSha256: p.contentSha256,
    };
    const hash = eventHash(prevHash, fields);
    const row = { p, at, fields, prevHash, hash };
    prevHash = hash;
    return row;
  });
}

/** actorId, actorEmail and the `via` every admin event's payload carries. */
export function by(actor: AuditActor): { actorId: string | null; actorEmail: string | null } {
  return { actorId: actor.id, actorEmail: actor.email };
}
