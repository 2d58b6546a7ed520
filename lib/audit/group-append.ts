import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Database } from "@/db/client";
import { GENESIS_HASH } from "./canonical";
import { appendAuditBatch, chainRows, getChainHead, prepare, type AppendResult, type ChainedRow } from "./log";
import type { AuditEventInput } from "./types";

/**
 * Group commit for events that do not belong to a caller's transaction (a sign-in, a read): the
 * calls that arrive while one group is being written wait and go together in the next, each
 * event still hashed on its own and chained in arrival order. A group is one statement, one
 * round trip: the events are chained in memory from the head the last group left, and the
 * database function audit_append_group (migration 0019) takes the append lock and writes them
 * only if the head is still that one; if another writer appended meanwhile, it answers with the
 * new head and the group is chained again from it. Each caller gets its own seq and hash once
 * its group has committed; when the database refuses a group, its events go again one by one, so
 * only the caller whose event cannot be written gets the error, naming why.
 */
class GroupAppender {
  private queue: { event: AuditEventInput; resolve: (r: AppendResult) => void; reject: (e: unknown) => void }[] = [];
  private writing = false;
  /** The head the last group of this appender left; null when not known (start, after a failure). */
  private head: AppendResult | null = null;

  constructor(private readonly db: Database) {}

  append(event: AuditEventInput): Promise<AppendResult> {
    // Validated here, so a bad event fails its own caller rather than the whole group.
    try {
      prepare(event);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      // One turn of the event loop first: the callers whose appends just committed usually append
      // again at once, and without this the first of them would go alone and the rest wait.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const group = this.queue.splice(0, MAX_GROUP);
      try {
        const results = await this.write(group.map((g) => g.event));
        group.forEach((g, i) => g.resolve(results[i]!));
      } catch (err) {
        this.head = null;
        if (group.length === 1) {
          group[0]!.reject(recordingFailed(err));
          continue;
        }
        // One event the database refuses must not fail its neighbours: each goes again alone.
        for (const g of group) {
          try {
            const [result] = await this.write([g.event]);
            g.resolve(result!);
          } catch (alone) {
            this.head = null;
            g.reject(recordingFailed(alone));
          }
        }
      }
    }
    this.writing = false;
  }

  private async write(events: AuditEventInput[]): Promise<AppendResult[]> {
    const prepared = events.map(prepare);
    let head = this.head ?? (await getChainHead(this.db));
    for (let attempt = 0; attempt < RECHAIN_ATTEMPTS; attempt++) {
      const rows = chainRows(prepared, head, Date.now());
      const [answer] = await queryRows<{ appended: boolean; headSeq: number; headHash: string }>(
        this.db,
        sql`select appended, head_seq::float8 as "headSeq", head_hash as "headHash"
          from audit_append_group(${head?.seq ?? 0}, ${head?.hash ?? GENESIS_HASH}, ${groupJson(rows)})`,
      );
      if (answer?.appended) {
        const results = rows.map((r) => ({ seq: r.fields.seq, hash: r.hash }));
        this.head = results[results.length - 1]!;
        return results;
      }
      head = answer && answer.headSeq > 0 ? { seq: answer.headSeq, hash: answer.headHash } : null;
    }
    // Other writers kept moving the head: wait for the lock like a transactional append does.
    const results = await appendAuditBatch(this.db, events);
    this.head = results[results.length - 1]!;
    return results;
  }
}

const MAX_GROUP = 500;

function recordingFailed(err: unknown): Error {
  // The driver's error wraps the database's: name that one, not the query and its parameters.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new Error(`The audit event could not be recorded: ${reason}`, { cause: err });
}
const RECHAIN_ATTEMPTS = 3;

/** The function's three jsonb arguments: the events, their redactable contents and their refs. */
function groupJson(rows: ChainedRow[]) {
  const events = rows.map((r) => ({
    seq: r.fields.seq,
    at: r.fields.at,
    type: r.fields.type,
    actor_id: r.fields.actorId,
    actor_email: r.fields.actorEmail,
    subject_collection_id: r.fields.subject.collectionId,
    subject_document_id: r.fields.subject.documentId,
    subject_user_id: r.fields.subject.userId,
    subject_conversation_id: r.fields.subject.conversationId,
    payload: r.fields.payload,
    content_sha256: r.fields.contentSha256,
    prev_hash: r.prevHash,
    hash: r.hash,
    search: r.p.search,
  }));
  const contents = rows
    .filter((r) => r.p.content)
    .map((r) => ({ seq: r.fields.seq, content: r.p.content, salt: r.p.salt, search: r.p.contentSearch }));
  const refs = rows.flatMap((r) => [
    ...r.p.collectionIds.map((collection_id) => ({ seq: r.fields.seq, collection_id })),
    ...r.p.documentIds.map((document_id) => ({ seq: r.fields.seq, document_id })),
  ]);
  return sql`${JSON.stringify(events)}::jsonb, ${JSON.stringify(contents)}::jsonb, ${JSON.stringify(refs)}::jsonb`;
}

const appenders = new WeakMap<Database, GroupAppender>();

/** Appends one event outside any transaction, grouped with concurrent appends (see GroupAppender). */
export function appendAuditGrouped(db: Database, event: AuditEventInput): Promise<AppendResult> {
  let appender = appenders.get(db);
  if (!appender) {
    appender = new GroupAppender(db);
    appenders.set(db, appender);
  }
  return appender.append(event);
}
