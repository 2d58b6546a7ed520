-- Redaction of audit content, guarded by the database itself (docs/adr/0015-audit-integrity.md):
-- 1. A held record cannot be redacted: the redaction trigger refuses an audit event that an
--    active legal hold covers (its actor or subject user, its conversation's owner, or a held
--    collection it concerns), and a message in a held conversation cannot be redacted either.
-- 2. A redaction commits only with a retention.purged event, appended in the same transaction,
--    that names its sequence number (a deferred constraint trigger checks it at commit).
CREATE FUNCTION "audit_conversation_held"(conversation uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT conversation IS NOT NULL AND EXISTS (
    SELECT 1 FROM legal_holds h
    WHERE h.released_at IS NULL AND (
      h.user_id = (SELECT cv.user_id FROM conversations cv WHERE cv.id = conversation)
      OR (h.collection_id IS NOT NULL AND (
        EXISTS (SELECT 1 FROM conversations cv WHERE cv.id = conversation AND h.collection_id = ANY (cv.collection_ids))
        OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversation AND h.collection_id = ANY (m.collection_ids))
        OR EXISTS (SELECT 1 FROM audit_events e JOIN audit_event_refs r ON r.seq = e.seq
                   WHERE e.subject_conversation_id = conversation AND r.collection_id = h.collection_id)
      ))
    )
  )
$$;
--> statement-breakpoint
CREATE FUNCTION "audit_event_held"(event_seq bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM audit_events e, legal_holds h
    WHERE e.seq = event_seq AND h.released_at IS NULL AND (
      h.user_id = e.actor_id
      OR h.user_id = e.subject_user_id
      OR h.collection_id IN (SELECT r.collection_id FROM audit_event_refs r WHERE r.seq = e.seq)
    )
  ) OR "audit_conversation_held"((SELECT e.subject_conversation_id FROM audit_events e WHERE e.seq = event_seq))
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "audit_contents_redact_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.redacted_at IS NULL
     AND NEW.seq = OLD.seq
     AND NEW.content IS NULL AND NEW.salt IS NULL AND NEW.search IS NULL
     AND NEW.redacted_at IS NOT NULL THEN
    IF "audit_event_held"(OLD.seq) THEN
      RAISE EXCEPTION 'audit event % is under a legal hold and cannot be redacted', OLD.seq
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on audit_event_contents is not allowed: content can only be redacted, once', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE FUNCTION "audit_redaction_recorded"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM audit_events p
    WHERE p.type = 'retention.purged' AND p.seq > NEW.seq
      AND p.payload -> 'auditEventSeqs' @> to_jsonb(NEW.seq)
  ) THEN
    RAISE EXCEPTION 'audit event % was redacted without a retention.purged event naming it', NEW.seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "audit_event_contents_redaction_recorded" AFTER UPDATE ON "audit_event_contents"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION "audit_redaction_recorded"();
--> statement-breakpoint
CREATE FUNCTION "messages_hold_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND "audit_conversation_held"(OLD.conversation_id) THEN
    RAISE EXCEPTION 'message % is in a conversation under a legal hold and cannot be redacted', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_hold_guard" BEFORE UPDATE ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "messages_hold_guard"();
