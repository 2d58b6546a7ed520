import "server-only";
import { and, asc, desc, eq, gt, gte, inArray, isNull, like, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { queryRows, type Executor } from "../client";
import { auditEventContents, auditEvents, legalHolds, users, collections } from "../schema";

// Reads of the audit trail. Writes go through lib/audit/log.ts (the chain) and
// lib/audit/retention.ts (redaction), never through here.

export interface AuditQuery {
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Events this user did or that concern them. */
  userId?: string;
  /** For a person with no account any more: matched against the recorded actor email. */
  actorEmail?: string;
  collectionId?: string;
  documentId?: string;
  /** Exact types, or prefixes ending in "." ("question."). */
  types?: string[];
  /** Words, as in a web search ("quoted phrase", -excluded). */
  text?: string;
  /** Events of these exact types are included whatever the other conditions say. */
  alwaysTypes?: string[];
}

const columns = {
  seq: auditEvents.seq,
  at: auditEvents.at,
  type: auditEvents.type,
  actorId: auditEvents.actorId,
  actorEmail: auditEvents.actorEmail,
  subjectCollectionId: auditEvents.subjectCollectionId,
  subjectDocumentId: auditEvents.subjectDocumentId,
  subjectUserId: auditEvents.subjectUserId,
  subjectConversationId: auditEvents.subjectConversationId,
  payload: auditEvents.payload,
  contentSha256: auditEvents.contentSha256,
  prevHash: auditEvents.prevHash,
  hash: auditEvents.hash,
  content: auditEventContents.content,
  contentSalt: auditEventContents.salt,
  redactedAt: auditEventContents.redactedAt,
};

export interface AuditRow {
  seq: number;
  at: Date;
  type: string;
  actorId: string | null;
  actorEmail: string | null;
  subjectCollectionId: string | null;
  subjectDocumentId: string | null;
  subjectUserId: string | null;
  subjectConversationId: string | null;
  payload: unknown;
  contentSha256: string | null;
  prevHash: string;
  hash: string;
  content: unknown;
  contentSalt: string | null;
  redactedAt: Date | null;
}

function conditions(q: AuditQuery): SQL[] {
  const out: SQL[] = [];
  if (q.from) out.push(gte(auditEvents.at, q.from));
  if (q.to) out.push(lt(auditEvents.at, q.to));
  if (q.userId) out.push(or(eq(auditEvents.actorId, q.userId), eq(auditEvents.subjectUserId, q.userId))!);
  else if (q.actorEmail) out.push(eq(auditEvents.actorEmail, q.actorEmail));
  // Through the index of every collection and document an event concerns: a question event is
  // found by each collection it searched and each document it retrieved from.
  if (q.collectionId) {
    out.push(
      sql`${auditEvents.seq} in (select r.seq from audit_event_refs r where r.collection_id = ${q.collectionId})`,
    );
  }
  if (q.documentId) {
    out.push(sql`${auditEvents.seq} in (select r.seq from audit_event_refs r where r.document_id = ${q.documentId})`);
  }
  if (q.types && q.types.length > 0) {
    const exact = q.types.filter((t) => !t.endsWith("."));
    const prefixes = q.types.filter((t) => t.endsWith("."));
    const parts: SQL[] = [];
    if (exact.length > 0) parts.push(inArray(auditEvents.type, exact));
    for (const p of prefixes) parts.push(like(auditEvents.type, `${p.replace(/[%_\\]/g, "\\$&")}%`));
    out.push(or(...parts)!);
  }
  if (q.text) {
    const query = sql`websearch_to_tsquery('simple', ${q.text})`;
    out.push(
      sql`(${auditEvents.search} @@ ${query} or ${auditEvents.seq} in (select c.seq from audit_event_contents c where c.search @@ ${query}))`,
    );
  }
  return out;
}

/** A page of events, newest first, older than `beforeSeq`. */
export async function listAuditEvents(
  db: Executor,
  { query, beforeSeq, limit }: { query: AuditQuery; beforeSeq?: number; limit: number },
): Promise<AuditRow[]> {
  const where = conditions(query);
  if (beforeSeq !== undefined) where.push(lt(auditEvents.seq, beforeSeq));
  return (await db
    .select(columns)
    .from(auditEvents)
    .leftJoin(auditEventContents, eq(auditEventContents.seq, auditEvents.seq))
    .where(and(...where))
    .orderBy(desc(auditEvents.seq))
    .limit(limit)) as AuditRow[];
}

/** A page of events in chain order after `afterSeq`, up to `maxSeq`: for exports and verification. */
export async function listAuditEventsAscending(
  db: Executor,
  { query, afterSeq, maxSeq, limit }: { query: AuditQuery; afterSeq: number; maxSeq: number; limit: number },
): Promise<AuditRow[]> {
  const filtered = conditions(query);
  const where = [gt(auditEvents.seq, afterSeq), lte(auditEvents.seq, maxSeq)];
  if (filtered.length > 0)
    where.push(
      query.alwaysTypes?.length
        ? or(and(...filtered), inArray(auditEvents.type, query.alwaysTypes))!
        : and(...filtered)!,
    );
  return (await db
    .select(columns)
    .from(auditEvents)
    .leftJoin(auditEventContents, eq(auditEventContents.seq, auditEvents.seq))
    .where(and(...where))
    .orderBy(asc(auditEvents.seq))
    .limit(limit)) as AuditRow[];
}

/** An event as the chain covers it, times already in the ISO form the hash uses. */
export interface AuditChainRow {
  seq: number;
  at: string;
  type: string;
  actorId: string | null;
  actorEmail: string | null;
  subjectCollectionId: string | null;
  subjectDocumentId: string | null;
  subjectUserId: string | null;
  subjectConversationId: string | null;
  payload: unknown;
  contentSha256: string | null;
  prevHash: string;
  hash: string;
  content: unknown;
  contentSalt: string | null;
  redactedAt: string | null;
}

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * A page of the whole chain in order, for verification: one keyset-paged query with the
 * timestamps formatted by the server, so the walk parses no dates (the hash covers the ISO text).
 * The page is a range of seqs (they are dense; a gap is a break the walk reports), not a
 * `limit`: without fresh statistics the planner scanned and sorted everything after `afterSeq`
 * for every page, which made a walk quadratic in the length of the trail.
 */
export async function listAuditChainPage(
  db: Executor,
  { afterSeq, maxSeq, limit }: { afterSeq: number; maxSeq: number; limit: number },
): Promise<AuditChainRow[]> {
  const iso = sql.raw(ISO_UTC);
  return queryRows<AuditChainRow>(
    db,
    sql`select e.seq::float8 as seq, to_char(e.at at time zone 'UTC', ${iso}) as "at", e.type, e.actor_id as "actorId",
      e.actor_email as "actorEmail", e.subject_collection_id as "subjectCollectionId",
      e.subject_document_id as "subjectDocumentId", e.subject_user_id as "subjectUserId",
      e.subject_conversation_id as "subjectConversationId", e.payload, e.content_sha256 as "contentSha256",
      e.prev_hash as "prevHash", e.hash, c.content, c.salt as "contentSalt",
      to_char(c.redacted_at at time zone 'UTC', ${iso}) as "redactedAt"
    from audit_events e left join audit_event_contents c on c.seq = e.seq
    where e.seq > ${afterSeq} and e.seq <= ${Math.min(afterSeq + limit, maxSeq)}
    order by e.seq`,
  );
}

export async function getAuditEventBySeq(db: Executor, { seq }: { seq: number }): Promise<AuditRow | null> {
  const [row] = (await db
    .select(columns)
    .from(auditEvents)
    .leftJoin(auditEventContents, eq(auditEventContents.seq, auditEvents.seq))
    .where(eq(auditEvents.seq, seq))) as AuditRow[];
  return row ?? null;
}

export interface LegalHoldView {
  id: string;
  userId: string | null;
  userEmail: string | null;
  collectionId: string | null;
  collectionName: string | null;
  reason: string;
  createdAt: Date;
  createdByEmail: string | null;
}

export async function listActiveLegalHolds(db: Executor): Promise<LegalHoldView[]> {
  const holder = sql<string | null>`(select u.email from users u where u.id = ${legalHolds.createdBy})`;
  return db
    .select({
      id: legalHolds.id,
      userId: legalHolds.userId,
      userEmail: users.email,
      collectionId: legalHolds.collectionId,
      collectionName: collections.name,
      reason: legalHolds.reason,
      createdAt: legalHolds.createdAt,
      createdByEmail: holder,
    })
    .from(legalHolds)
    .leftJoin(users, eq(users.id, legalHolds.userId))
    .leftJoin(collections, eq(collections.id, legalHolds.collectionId))
    .where(isNull(legalHolds.releasedAt))
    .orderBy(desc(legalHolds.createdAt));
}

export async function insertLegalHold(
  db: Executor,
  input: { userId?: string | null; collectionId?: string | null; reason: string; createdBy: string | null },
): Promise<{ id: string }> {
  const [row] = await db
    .insert(legalHolds)
    .values({
      userId: input.userId ?? null,
      collectionId: input.collectionId ?? null,
      reason: input.reason,
      createdBy: input.createdBy,
    })
    .returning({ id: legalHolds.id });
  if (!row) throw new Error("insert into legal_holds returned no row");
  return row;
}

/** Releases an active hold; returns it, or null when there is no active hold with this id. */
export async function releaseLegalHold(db: Executor, { id, releasedBy }: { id: string; releasedBy: string | null }) {
  const [row] = await db
    .update(legalHolds)
    .set({ releasedAt: new Date(), releasedBy })
    .where(and(eq(legalHolds.id, id), isNull(legalHolds.releasedAt)))
    .returning({
      id: legalHolds.id,
      userId: legalHolds.userId,
      collectionId: legalHolds.collectionId,
      reason: legalHolds.reason,
    });
  return row ?? null;
}

/**
 * Events about one answer (its question.answered record, feedback on it), oldest first: found
 * through the conversation index, then by the message id the payload names.
 */
export async function listAuditEventsForMessage(
  db: Executor,
  { conversationId, messageId, types }: { conversationId: string; messageId: string; types: string[] },
): Promise<AuditRow[]> {
  return (await db
    .select(columns)
    .from(auditEvents)
    .leftJoin(auditEventContents, eq(auditEventContents.seq, auditEvents.seq))
    .where(
      and(
        eq(auditEvents.subjectConversationId, conversationId),
        inArray(auditEvents.type, types),
        sql`${auditEvents.payload}->>'messageId' = ${messageId}`,
      ),
    )
    .orderBy(asc(auditEvents.seq))) as AuditRow[];
}
