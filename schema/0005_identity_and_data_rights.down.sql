-- Reverts 0005. Exports audited as 'export' go back to 'credential' (as before 0005); installation ids
-- and the hashes of deleted users' tokens are dropped.
DROP FUNCTION auth_token_deleted(uuid);
DROP TABLE deleted_auth_token;
UPDATE audit_log SET event_type = 'credential' WHERE event_type = 'export';
ALTER TABLE audit_log DROP CONSTRAINT audit_log_event_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_event_type_check CHECK (event_type IN ('consent', 'credential', 'deletion'));
DROP INDEX session_installation_id_idx;
ALTER TABLE session DROP COLUMN installation_id;
