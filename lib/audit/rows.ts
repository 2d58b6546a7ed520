import "server-only";
import type { AuditRow } from "@/db/queries/audit";
import { mergeContent } from "./content";
import type { AuditEventView } from "./types";

/** A stored row as the console, the API and exports show it (content separate, as chained). */
export function eventView(row: AuditRow): AuditEventView {
  return {
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    type: row.type,
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    subject: {
      collectionId: row.subjectCollectionId,
      documentId: row.subjectDocumentId,
      userId: row.subjectUserId,
      conversationId: row.subjectConversationId,
    },
    payload: row.payload as Record<string, unknown>,
    contentSha256: row.contentSha256,
    prevHash: row.prevHash,
    hash: row.hash,
    content: (row.content as Record<string, unknown> | null) ?? null,
    contentSalt: row.contentSalt,
    redactedAt: row.redactedAt ? new Date(row.redactedAt).toISOString() : null,
  };
}

/** The payload with its content put back (or redaction markers where retention removed it). */
export function readablePayload(view: AuditEventView): Record<string, unknown> {
  return mergeContent(view.type, view.payload, view.content, view.redactedAt !== null);
}
