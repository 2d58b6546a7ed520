// Event types and shapes of the audit trail. Shared by the appender, the console, exports and
// the offline export check (which must not need a database), so this module imports nothing.

export const AUDIT_EVENT_TYPES = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "auth.mfa_enrolled",
  "auth.mfa_verified",
  "auth.mfa_recovery_code_used",
  "auth.mfa_recovery_codes_regenerated",
  "auth.mfa_disabled",
  "auth.mfa_reset",
  "user.created",
  "user.roles_changed",
  "user.disabled",
  "user.enabled",
  "user.renamed",
  "user.password_changed",
  "user.password_reset",
  "group.created",
  "group.deleted",
  "group.member_added",
  "group.member_removed",
  "apikey.created",
  "apikey.revoked",
  "collection.created",
  "collection.updated",
  "collection.deleted",
  "collection.policy_changed",
  "grant.added",
  "grant.changed",
  "grant.removed",
  "document.uploaded",
  "document.published",
  "document.ingest_failed",
  "document.restricted",
  "document.deleted",
  "document.quarantined",
  "document.injection_warning",
  "document.released",
  "document.rejected",
  "document.effective_changed",
  "document.took_effect",
  "question.answered",
  "question.refused",
  "question.reasked",
  "feedback.given",
  "review.resolved",
  "review.escalated",
  "review.reopened",
  "audit.exported",
  "audit.verified",
  "retention.purged",
  "retention.hold_placed",
  "retention.hold_released",
  "keys.rotated",
  // Reads that disclose content (HIPAA §164.312(b), §164.528): one event per request, see lib/audit/reads.ts.
  "read.file",
  "read.passage",
  "read.audit_event",
  "read.audit_log",
  "read.review_item",
  "read.review_queue",
  "read.changes",
  "backup.created",
  "backup.restored",
  "evaluation.changed",
  "evaluation.run",
  "index.staged_evaluated",
  "index.swapped",
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export function isAuditEventType(value: string): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}

export interface AuditSubject {
  collectionId?: string;
  documentId?: string;
  userId?: string;
  conversationId?: string;
}

export interface AuditEventInput {
  type: AuditEventType;
  /** users.id, null for the system or an unknown person. */
  actorId: string | null;
  /** Denormalised so the record stays readable after the user is gone. */
  actorEmail?: string | null;
  subject?: AuditSubject;
  payload: Record<string, unknown>;
}

/** Who did something, for the events the admin features append. */
export interface AuditActor {
  id: string | null;
  email: string | null;
  /** How the request came: a browser session, an API key, the command line, SSO, or the server itself. */
  via: "session" | "api_key" | "cli" | "sso" | "system";
}

export const CLI_ACTOR: AuditActor = { id: null, email: null, via: "cli" };
export const SYSTEM_ACTOR: AuditActor = { id: null, email: null, via: "system" };

/** The fields every hash covers, exactly as stored and exported. */
export interface ChainedFields {
  seq: number;
  at: string;
  type: string;
  actorId: string | null;
  actorEmail: string | null;
  subject: {
    collectionId: string | null;
    documentId: string | null;
    userId: string | null;
    conversationId: string | null;
  };
  payload: Record<string, unknown>;
  contentSha256: string | null;
}

/** One event as the console, the API and exports show it. */
export interface AuditEventView extends ChainedFields {
  prevHash: string;
  hash: string;
  /** Redactable conversation content; null when the event has none or retention redacted it. */
  content: Record<string, unknown> | null;
  contentSalt: string | null;
  redactedAt: string | null;
}
