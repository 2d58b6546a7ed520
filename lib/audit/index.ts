// The audit trail: append (in the caller's transaction), verify, export, retention.
export { appendAudit, appendAuditBatch, getChainHead, by, type AppendResult } from "./log";
export { verifyChain, type ChainVerification } from "./verify";
export { startAuditExport, exportResponseBody, type AuditExport, type ExportFormat } from "./export";
export { verifyExportFile, type ExportCheck } from "./verify-export";
export { parseAuditFilters, resolveAuditFilters, filtersToSearchParams, type AuditFilters } from "./filters";
export { loadSigningKey, type SigningKey } from "./signing-key";
export { runRetentionSweep, startRetentionSchedule, type SweepResult } from "./retention";
export { placeLegalHold, releaseHold, listHolds, holdSchema } from "./holds";
export { REDACTION_MARKER, CONVERSATION_EVENT_TYPES } from "./content";
export {
  AUDIT_EVENT_TYPES,
  CLI_ACTOR,
  SYSTEM_ACTOR,
  type AuditActor,
  type AuditEventInput,
  type AuditEventType,
  type AuditSubject,
  type AuditEventView,
} from "./types";
export { auditActor } from "./actor";
