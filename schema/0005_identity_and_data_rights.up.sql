-- 0005 Identity and data rights (issue 8).
--
--  * session.installation_id: the anonymous, stable id of one installation of the server (a random UUID
--    kept beside the local telemetry spool, created the first time telemetry is recorded). It lets a
--    researcher group anonymous sessions (no auth token) by installation, and lets that person have their
--    data exported or deleted by quoting the id (code4me-lsp telemetry status prints it). Nullable: sessions
--    recorded before 0005, or while the id could not be stored, have none.
--  * audit_log.event_type gains 'export': a data export is audited as what it is (before 0005 it was
--    recorded as a 'credential' event).
--  * deleted_auth_token: the SHA-256 of the auth token of every user deleted with all their data, so events
--    still waiting in a spool on that user's machine are discarded when they arrive instead of being
--    written without a user. Only the hash is kept: the token cannot be recovered from it, and the row
--    says nothing but "some deleted account used this token".
--  * auth_token_deleted(token): SECURITY DEFINER, for the insert-only writer role.

ALTER TABLE session ADD COLUMN installation_id uuid;
CREATE INDEX session_installation_id_idx ON session (installation_id) WHERE installation_id IS NOT NULL;

ALTER TABLE audit_log DROP CONSTRAINT audit_log_event_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_event_type_check
    CHECK (event_type IN ('consent', 'credential', 'deletion', 'export'));
UPDATE audit_log SET event_type = 'export' WHERE event_type = 'credential' AND action = 'data_exported';

CREATE TABLE deleted_auth_token (
    token_sha256 bytea PRIMARY KEY CONSTRAINT deleted_auth_token_sha256_length CHECK (length(token_sha256) = 32),
    deleted_at   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION auth_token_deleted(p_auth_token uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM deleted_auth_token WHERE token_sha256 = sha256(uuid_send(p_auth_token)));
$$;
REVOKE ALL ON FUNCTION auth_token_deleted(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_token_deleted(uuid) TO code4me_writer;
GRANT SELECT ON deleted_auth_token TO code4me_analyst;
