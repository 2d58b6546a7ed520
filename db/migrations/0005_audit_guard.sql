-- The database itself refuses to change the audit trail (docs/adr/0004-audit-trail.md).
-- audit_events and audit_event_refs: INSERT only. audit_event_contents: INSERT, and an UPDATE
-- that is a redaction (content, salt and search cleared, redacted_at set once); never DELETE.
-- A superuser can still switch triggers off; verification (hash chain) catches what they change.
CREATE FUNCTION "audit_reject_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % is not allowed: the audit trail is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_reject_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_reject_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_event_refs_append_only" BEFORE UPDATE OR DELETE ON "audit_event_refs"
  FOR EACH ROW EXECUTE FUNCTION "audit_reject_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_event_refs_no_truncate" BEFORE TRUNCATE ON "audit_event_refs"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_reject_change"();
--> statement-breakpoint
CREATE FUNCTION "audit_contents_redact_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.redacted_at IS NULL
     AND NEW.seq = OLD.seq
     AND NEW.content IS NULL AND NEW.salt IS NULL AND NEW.search IS NULL
     AND NEW.redacted_at IS NOT NULL THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on audit_event_contents is not allowed: content can only be redacted, once', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_event_contents_redact_only" BEFORE UPDATE OR DELETE ON "audit_event_contents"
  FOR EACH ROW EXECUTE FUNCTION "audit_contents_redact_only"();
--> statement-breakpoint
CREATE TRIGGER "audit_event_contents_no_truncate" BEFORE TRUNCATE ON "audit_event_contents"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_reject_change"();
