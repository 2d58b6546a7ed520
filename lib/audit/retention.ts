import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { queryRows, type Database } from "@/db/client";
import { log } from "@/lib/log";
import { REDACTION_MARKER } from "./content";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import { appendAudit, by } from "./log";
import { SYSTEM_ACTOR, type AuditActor } from "./types";

// Retention of conversation content. A sweep replaces questions, answers, quoted passages and
// feedback comments older than the retention period with a redaction marker, in the messages
// and in the audit trail, where only the content beside the chain goes: the chained row keeps
// the content's digest, so the chain still verifies. Legal holds (per user, per collection)
// suspend it. Each batch is recorded by a retention.purged event in the same transaction.

const RETENTION_LOCK_KEY = 7_402_117_733;
const BATCH = 500;

export interface SweepResult {
  cutoff: string;
  messages: number;
  auditEvents: number;
  /** Sequence numbers of the retention.purged events written. */
  purgeEvents: number[];
}

const active = sql`h.released_at is null`;

/** Whether a conversation (by id expression) is under a legal hold, directly or through a collection. */
function conversationHeld(conversationId: SQL): SQL {
  return sql`exists (
    select 1 from legal_holds h where ${active} and (
      h.user_id = (select cv.user_id from conversations cv where cv.id = ${conversationId})
      or (h.collection_id is not null and (
        exists (select 1 from messages m2 where m2.conversation_id = ${conversationId} and h.collection_id = any(m2.collection_ids))
        or exists (select 1 from conversations cv2 where cv2.id = ${conversationId} and h.collection_id = any(cv2.collection_ids))
        or exists (select 1 from audit_events e2 join audit_event_refs r2 on r2.seq = e2.seq
                   where e2.subject_conversation_id = ${conversationId} and r2.collection_id = h.collection_id)
      ))
    ))`;
}

async function sweepBatch(
  db: Database,
  cutoff: Date,
  retentionDays: number,
  actor: AuditActor,
): Promise<{ messages: number; auditEvents: number; seq: number | null }> {
  return db.transaction(async (tx) => {
    // One sweeper at a time across processes; a second waits and then finds nothing left.
    await tx.execute(sql`select pg_advisory_xact_lock(${RETENTION_LOCK_KEY})`);
    const messages = await queryRows<{ id: string; conversation_id: string }>(
      tx,
      sql`select m.id, m.conversation_id from messages m
          where m.redacted_at is null and m.created_at < ${cutoff}
            and not ${conversationHeld(sql`m.conversation_id`)}
          order by m.created_at limit ${BATCH}`,
    );
    const events = await queryRows<{ seq: string | number }>(
      tx,
      sql`select c.seq from audit_event_contents c join audit_events e on e.seq = c.seq
          where c.redacted_at is null and e.at < ${cutoff}
            and not exists (select 1 from legal_holds h where ${active} and h.user_id is not null
                            and (h.user_id = e.actor_id or h.user_id = e.subject_user_id))
            and not exists (select 1 from legal_holds h join audit_event_refs r on r.collection_id = h.collection_id
                            where ${active} and r.seq = e.seq)
            and (e.subject_conversation_id is null or not ${conversationHeld(sql`e.subject_conversation_id`)})
          order by c.seq limit ${BATCH}`,
    );
    if (messages.length === 0 && events.length === 0) return { messages: 0, auditEvents: 0, seq: null };
    const now = new Date();
    const messageIds = messages.map((m) => m.id);
    const conversationIds = [...new Set(messages.map((m) => m.conversation_id))];
    const seqs = events.map((e) => Number(e.seq));
    if (messageIds.length > 0) {
      const idList = sql.join(
        messageIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      );
      await tx.execute(sql`
        update messages set content = ${REDACTION_MARKER}, sentences = '[]'::jsonb,
          citations = coalesce((select jsonb_agg(c - 'text') from jsonb_array_elements(citations) c), '[]'::jsonb),
          redacted_at = ${now}
        where id in (${idList})`);
      await tx.execute(
        sql`update message_feedback set comment = ${REDACTION_MARKER}, updated_at = ${now} where comment <> '' and message_id in (${idList})`,
      );
      // A title is usually the first question.
      const convList = sql.join(
        conversationIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      );
      await tx.execute(
        sql`update conversations set title = ${REDACTION_MARKER} where created_at < ${cutoff} and id in (${convList})`,
      );
    }
    if (seqs.length > 0) {
      const seqList = sql.join(
        seqs.map((s) => sql`${s}`),
        sql`, `,
      );
      await tx.execute(sql`
        update audit_event_contents set content = null, salt = null, search = null, redacted_at = ${now}
        where redacted_at is null and seq in (${seqList})`);
    }
    // Recorded last, in the same transaction: the redaction and its record commit together.
    const purge = await appendAudit(tx, {
      type: "retention.purged",
      ...by(actor),
      payload: {
        via: actor.via,
        retentionDays,
        cutoff: cutoff.toISOString(),
        messages: messageIds.length,
        messageIds,
        conversations: conversationIds.length,
        auditEvents: seqs.length,
        auditEventSeqs: seqs,
      },
    });
    return { messages: messageIds.length, auditEvents: seqs.length, seq: purge.seq };
  });
}

/** Redacts everything past the retention period that no legal hold keeps, in batches. */
export async function runRetentionSweep(
  ctx: ServiceContext,
  { retentionDays, now = new Date() }: { retentionDays: number; now?: Date },
): Promise<SweepResult> {
  const { actor, db } = ctx;
  await requireRoleNow(ctx, "compliance", "run the retention sweep");
  if (!Number.isInteger(retentionDays) || retentionDays < 1)
    throw new Error("The retention period must be a whole number of days, at least 1.");
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const result: SweepResult = { cutoff: cutoff.toISOString(), messages: 0, auditEvents: 0, purgeEvents: [] };
  for (;;) {
    const batch = await sweepBatch(db, cutoff, retentionDays, actor);
    if (batch.seq === null) break;
    result.messages += batch.messages;
    result.auditEvents += batch.auditEvents;
    result.purgeEvents.push(batch.seq);
  }
  return result;
}

const KEY = Symbol.for("knowledge-qa.retention");
type Holder = { [KEY]?: NodeJS.Timeout };

/** Runs the sweep now and every `everyMinutes` in this server process. */
export function startRetentionSchedule(
  db: Database,
  { retentionDays, everyMinutes }: { retentionDays: number; everyMinutes: number },
): void {
  const holder = globalThis as Holder;
  if (holder[KEY]) return;
  const sweep = () => {
    runRetentionSweep({ actor: SYSTEM_ACTOR, db }, { retentionDays }).then(
      (r) => {
        if (r.messages + r.auditEvents > 0)
          log.info("retention sweep redacted expired content", {
            messages: r.messages,
            auditEvents: r.auditEvents,
            cutoff: r.cutoff,
          });
      },
      // Logged, and tried again at the next interval: nothing was redacted without its record.
      (err) => log.error("retention sweep failed", { err }),
    );
  };
  holder[KEY] = setInterval(sweep, everyMinutes * 60_000);
  holder[KEY].unref();
  setTimeout(sweep, 5_000).unref();
}
