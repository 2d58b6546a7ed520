import "server-only";
import type { Database } from "@/db/client";
import { getAuditEventBySeq, listAuditEvents } from "@/db/queries/audit";
import { AppError } from "@/lib/errors";
import { requireRoleNow, type ServiceContext } from "@/lib/service/context";
import { answerView, type AnswerView } from "./answer-view";
import { describeEvent } from "./describe";
import { resolveAuditFilters, type AuditFilters } from "./filters";
import { appendAudit, by } from "./log";
import { recordRead } from "./reads";
import { eventView, readablePayload } from "./rows";
import type { AuditEventView } from "./types";
import { verifyChain, type ChainVerification } from "./verify";

// What the console, the API and the CLI do with the trail, in one place.

export interface EventJson extends AuditEventView {
  /** The payload with its content merged back (or redaction markers). */
  readable: Record<string, unknown>;
  summary: string;
}

export function eventJson(view: AuditEventView): EventJson {
  const readable = readablePayload(view);
  return { ...view, readable, summary: describeEvent(view.type, readable) };
}

export async function listEventsPage(
  db: Database,
  { filters, beforeSeq, limit }: { filters: AuditFilters; beforeSeq?: number; limit: number },
): Promise<{ events: EventJson[]; nextBefore: number | null }> {
  const query = await resolveAuditFilters(db, filters);
  const rows = await listAuditEvents(db, { query, beforeSeq, limit: limit + 1 });
  const page = rows.slice(0, limit).map((r) => eventJson(eventView(r)));
  return { events: page, nextBefore: rows.length > limit ? page[page.length - 1]!.seq : null };
}

export async function eventDetail(db: Database, seq: number): Promise<{ event: EventJson; answer: AnswerView | null }> {
  const row = await getAuditEventBySeq(db, { seq });
  if (!row) throw new AppError("not_found", `No audit event ${seq}.`);
  const view = eventView(row);
  return { event: eventJson(view), answer: await answerView(db, view) };
}

/** Reading the trail is for compliance staff; checked again here from the database, whoever the caller is. */
async function requireCompliance(ctx: ServiceContext): Promise<void> {
  await requireRoleNow(ctx, "compliance", "read the audit trail");
}

/** A page of the console's list, recorded as one read naming the range it showed. */
export async function readAuditLog(
  ctx: ServiceContext,
  input: { filters: AuditFilters; beforeSeq?: number; limit: number },
): Promise<{ events: EventJson[]; nextBefore: number | null }> {
  const { actor, db } = ctx;
  await requireCompliance(ctx);
  const page = await listEventsPage(db, input);
  await recordRead(db, actor, {
    kind: "audit_log",
    filters: { ...input.filters, ...(input.beforeSeq !== undefined ? { before: input.beforeSeq } : {}) },
    count: page.events.length,
    newestSeq: page.events[0]?.seq ?? null,
    oldestSeq: page.events.at(-1)?.seq ?? null,
  });
  return page;
}

/** One event with its answer record, for the console and the API; the read is recorded. */
export async function readAuditEvent(
  ctx: ServiceContext,
  seq: number,
): Promise<{ event: EventJson; answer: AnswerView | null }> {
  const { actor, db } = ctx;
  await requireCompliance(ctx);
  const detail = await eventDetail(db, seq);
  const { event } = detail;
  await recordRead(db, actor, {
    kind: "audit_event",
    seq: event.seq,
    eventType: event.type,
    concerns: {
      userId: event.actorId ?? event.subject.userId ?? undefined,
      collectionId: event.subject.collectionId ?? undefined,
      documentId: event.subject.documentId ?? undefined,
    },
  });
  return detail;
}

/** Verifies the chain and records that it was verified, with the outcome. */
export async function verifyAndRecord(
  ctx: ServiceContext,
  options: { anchor?: { seq: number; hash: string } } = {},
): Promise<ChainVerification> {
  const { actor, db } = ctx;
  await requireCompliance(ctx);
  const result = await verifyChain(db, options);
  await appendAudit(db, {
    type: "audit.verified",
    ...by(actor),
    payload: {
      via: actor.via,
      ok: result.ok,
      count: result.count,
      head: result.head,
      firstBroken: result.firstBroken,
      anchor: result.anchor ?? null,
      durationMs: result.durationMs,
    },
  });
  return result;
}
