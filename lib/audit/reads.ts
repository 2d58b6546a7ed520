import "server-only";
import type { Database } from "@/db/client";
import { appendAuditGrouped } from "./group-append";
import type { AppendResult } from "./log";
import type { AuditActor, AuditSubject } from "./types";

// Reads that disclose content are recorded (HIPAA §164.312(b) audit controls, §164.528 accounting
// of disclosures): who opened which original, passage, audit event or review item, or listed
// the log or the review queue, and when.
//
// Volume is decided here, once: one event per request that discloses, never one per row shown. A
// page listing fifty events is one read.audit_log naming the range it showed; an answer's
// citations are covered by its own question.answered record, and a passage is recorded when a
// reader opens it. Reads are not part of any change, so they use the grouped append: concurrent
// readers share one transaction under one lock. The event is written before the content is
// returned, so a read that cannot be recorded fails rather than going unrecorded.

interface VersionRef {
  documentId: string;
  collectionId: string;
  versionId: string;
  versionNumber: number;
  name: string;
}

export type ReadRecord =
  | ({ kind: "file"; rendition: "original" | "masked" } & VersionRef)
  | ({ kind: "passage"; start: number; end: number } & VersionRef)
  | ({ kind: "changes"; fromVersionId: string; fromVersionNumber: number } & VersionRef)
  | {
      kind: "audit_event";
      seq: number;
      eventType: string;
      /**
       * Whom and what the event is about (its actor as the person concerned), so the console's
       * user, collection and document filters find who read about them.
       */
      concerns: Omit<AuditSubject, "conversationId">;
    }
  | {
      kind: "audit_log";
      filters: Record<string, unknown>;
      count: number;
      newestSeq: number | null;
      oldestSeq: number | null;
    }
  | { kind: "review_queue"; filters: Record<string, unknown>; count: number; numbers: number[] }
  | {
      kind: "review_item";
      itemId: string;
      number: number;
      answerSeq: number | null;
      askerId: string | null;
      conversationId: string;
    };

export function recordRead(db: Database, actor: AuditActor, read: ReadRecord): Promise<AppendResult> {
  const who = { actorId: actor.id, actorEmail: actor.email };
  const via = actor.via;
  switch (read.kind) {
    case "file":
    case "passage":
    case "changes": {
      const { kind, documentId, collectionId, ...rest } = read;
      return appendAuditGrouped(db, {
        type: kind === "file" ? "read.file" : kind === "passage" ? "read.passage" : "read.changes",
        ...who,
        subject: { documentId, collectionId },
        payload: { via, documentId, ...rest },
      });
    }
    case "audit_event":
      return appendAuditGrouped(db, {
        type: "read.audit_event",
        ...who,
        subject: withoutEmpty(read.concerns),
        payload: { via, seq: read.seq, eventType: read.eventType },
      });
    case "audit_log":
      return appendAuditGrouped(db, {
        type: "read.audit_log",
        ...who,
        payload: {
          via,
          filters: read.filters,
          count: read.count,
          newestSeq: read.newestSeq,
          oldestSeq: read.oldestSeq,
        },
      });
    case "review_queue":
      return appendAuditGrouped(db, {
        type: "read.review_queue",
        ...who,
        payload: { via, filters: read.filters, count: read.count, numbers: read.numbers },
      });
    case "review_item":
      return appendAuditGrouped(db, {
        type: "read.review_item",
        ...who,
        subject: { conversationId: read.conversationId, ...(read.askerId ? { userId: read.askerId } : {}) },
        payload: { via, itemId: read.itemId, number: read.number, answerSeq: read.answerSeq },
      });
  }
}

// No conversation: retention and legal holds follow a conversation's own events, not reads of them.
function withoutEmpty(subject: Omit<AuditSubject, "conversationId">): AuditSubject {
  return Object.fromEntries(Object.entries(subject).filter(([, v]) => typeof v === "string" && v)) as AuditSubject;
}
