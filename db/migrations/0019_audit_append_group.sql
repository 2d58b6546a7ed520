-- Grouped audit appends in one round trip (docs/adr/0030-throughput-defaults.md). The caller
-- hashes the events in memory, chained from the head it expects; this takes the append lock
-- (the same advisory key as lib/audit/log.ts), and writes the events, their contents and refs
-- only if the chain's head is still that one. Otherwise it writes nothing and returns the head,
-- so the caller can chain again from it. It runs with the caller's rights (SECURITY INVOKER):
-- the runtime role needs nothing beyond the INSERTs it already has.
CREATE FUNCTION "audit_append_group"(
  "after_seq" bigint,
  "after_hash" text,
  "events" jsonb,
  "contents" jsonb,
  "refs" jsonb
) RETURNS TABLE ("appended" boolean, "head_seq" bigint, "head_hash" text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  current_seq bigint;
  current_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7402117732);
  -- A new statement, so a new snapshot: it sees every append committed before the lock was ours.
  SELECT e.seq, e.hash INTO current_seq, current_hash FROM audit_events e ORDER BY e.seq DESC LIMIT 1;
  IF coalesce(current_seq, 0) <> after_seq OR coalesce(current_hash, repeat('0', 64)) <> after_hash THEN
    RETURN QUERY SELECT false, coalesce(current_seq, 0), coalesce(current_hash, repeat('0', 64));
    RETURN;
  END IF;
  INSERT INTO audit_events (seq, at, type, actor_id, actor_email, subject_collection_id, subject_document_id,
      subject_user_id, subject_conversation_id, payload, content_sha256, prev_hash, hash, search)
    SELECT x.seq, x.at, x.type, x.actor_id, x.actor_email, x.subject_collection_id, x.subject_document_id,
      x.subject_user_id, x.subject_conversation_id, x.payload, x.content_sha256, x.prev_hash, x.hash,
      to_tsvector('simple', x.search)
    FROM jsonb_to_recordset(events) AS x(seq bigint, at timestamptz, type text, actor_id uuid, actor_email text,
      subject_collection_id uuid, subject_document_id uuid, subject_user_id uuid, subject_conversation_id uuid,
      payload jsonb, content_sha256 text, prev_hash text, hash text, search text)
    ORDER BY x.seq;
  INSERT INTO audit_event_contents (seq, content, salt, search)
    SELECT x.seq, x.content, x.salt, to_tsvector('simple', x.search)
    FROM jsonb_to_recordset(contents) AS x(seq bigint, content jsonb, salt text, search text);
  -- Collections named by the events, and those of the documents they name, looked up now: a
  -- document may be gone later.
  INSERT INTO audit_event_refs (seq, collection_id, document_id)
    SELECT c.seq, c.collection_id, NULL FROM (
      SELECT r.seq, r.collection_id FROM jsonb_to_recordset(refs) AS r(seq bigint, collection_id uuid, document_id uuid)
        WHERE r.collection_id IS NOT NULL
      UNION
      SELECT r.seq, d.collection_id FROM jsonb_to_recordset(refs) AS r(seq bigint, collection_id uuid, document_id uuid)
        JOIN documents d ON d.id = r.document_id
    ) c
    UNION ALL
    SELECT r.seq, NULL, r.document_id FROM jsonb_to_recordset(refs) AS r(seq bigint, collection_id uuid, document_id uuid)
      WHERE r.document_id IS NOT NULL;
  RETURN QUERY SELECT true, after_seq, after_hash;
END
$$;
