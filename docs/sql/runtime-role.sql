-- A runtime role that may not alter the audit trail. Run as the schema owner (the role in
-- DATABASE_MIGRATION_URL) after the first start, and again after an upgrade that adds tables.
-- Replace kq_app with the role in DATABASE_URL (create it first: CREATE ROLE kq_app LOGIN PASSWORD '…').
GRANT USAGE ON SCHEMA public, drizzle TO kq_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO kq_app;
GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO kq_app;
-- Numbered rows (the review queue's item numbers and its flags' and decisions' order).
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO kq_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_event_refs, audit_event_contents FROM kq_app;
-- Retention may only clear content (the guard trigger also insists it is a one-time redaction).
GRANT UPDATE (content, salt, search, redacted_at) ON audit_event_contents TO kq_app;
