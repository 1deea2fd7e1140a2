-- 0018 Deleted installations (data rights): what is still spooled on an installation's machine when its data is deleted.
--
-- `data delete --installation ID` deletes the installation's sessions, queries and chats. Its server may still hold
-- events in its spool (the machine was offline, or the participant asked by mail and kept the editor open); before
-- 0018 they were written when they arrived, and the deleted data came back. As 0005 does for a deleted account's auth
-- token, the deletion now leaves the SHA-256 of the installation id in deleted_installation, and the writer discards,
-- instead of writing, every batch of an installation found there. The hash says only "some installation was deleted";
-- the id cannot be recovered from it. Deleting `installation-id` in the spool directory gives that machine a new,
-- unlinked identity, whose telemetry is written again.
--
-- installation_deleted(id): SECURITY DEFINER, for the insert-only writer role, which cannot read the table.

CREATE TABLE deleted_installation (
    installation_sha256 bytea PRIMARY KEY CONSTRAINT deleted_installation_sha256_length CHECK (length(installation_sha256) = 32),
    deleted_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE deleted_installation IS
    'The SHA-256 of every installation id deleted with all its data (data delete --installation): its spooled events are discarded when they arrive (0018).';
COMMENT ON COLUMN deleted_installation.installation_sha256 IS 'sha256(uuid_send(installation_id)).';
COMMENT ON COLUMN deleted_installation.deleted_at IS 'When the installation''s data was last deleted.';

CREATE FUNCTION installation_deleted(p_installation_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM deleted_installation WHERE installation_sha256 = sha256(uuid_send(p_installation_id)));
$$;
COMMENT ON FUNCTION installation_deleted(uuid) IS 'Whether the installation was deleted with all its data (0018): the writer then discards its events.';
REVOKE ALL ON FUNCTION installation_deleted(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION installation_deleted(uuid) TO code4me_writer;
GRANT SELECT ON deleted_installation TO code4me_analyst;
