-- 0003 Least-privilege roles. Both are NOLOGIN group roles: a deployment creates its own login
-- roles and makes them members, e.g.
--   CREATE ROLE code4me_lsp LOGIN PASSWORD '…' IN ROLE code4me_writer;
--   CREATE ROLE alice       LOGIN PASSWORD '…' IN ROLE code4me_analyst;
--
-- Roles are global to the PostgreSQL cluster, not to this database, so creating them is
-- idempotent (another database on the cluster may have created them already, even concurrently),
-- and the down script drops them only when nothing else uses them.
--
-- code4me_writer (the editor-side server): INSERT on telemetry tables and NO SELECT on them, so a
--   leaked server credential cannot read anyone's code or telemetry. It reads the reference tables
--   and may add rows to those that grow (languages, models, plugin versions: get-or-create).
--   Idempotent inserts must use a bare ON CONFLICT DO NOTHING: naming a conflict target,
--   ON CONFLICT (id), needs SELECT on that column and fails with 42501 for this role.
--   The two things it must do beyond INSERT go through SECURITY DEFINER functions below.
-- code4me_analyst (researchers): SELECT on every table, except the password hash and auth token
--   of "user"; no INSERT, UPDATE or DELETE anywhere.
-- Every later migration that adds a table must GRANT on it explicitly, as this one does.

DO $$
BEGIN
    CREATE ROLE code4me_writer NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    RAISE NOTICE 'role code4me_writer already exists, keeping it';
END
$$;

DO $$
BEGIN
    CREATE ROLE code4me_analyst NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    RAISE NOTICE 'role code4me_analyst already exists, keeping it';
END
$$;

GRANT USAGE ON SCHEMA public TO code4me_writer, code4me_analyst;

-- Writer: telemetry, insert only.
GRANT INSERT ON
    project, project_users, session, session_projects, chat,
    context, contextual_telemetry, behavioral_telemetry,
    meta_query, completion_query, chat_query, had_generation, ground_truth,
    audit_log
TO code4me_writer;
-- Writer: reference tables, read, and get-or-create where the set grows.
GRANT SELECT ON trigger_type, programming_language, model_name, plugin_version TO code4me_writer;
GRANT INSERT ON programming_language, model_name, plugin_version TO code4me_writer;
-- Writer: may check the schema version at start.
GRANT SELECT ON schema_migrations TO code4me_writer;

-- Ends a session (sets end_time once). UPDATE would need SELECT on session for its WHERE clause.
CREATE FUNCTION session_end(p_session_id uuid, p_end_time timestamptz) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE session SET end_time = p_end_time
    WHERE session_id = p_session_id AND end_time IS NULL
    RETURNING true;
$$;
-- Resolves a configured auth token to its user without reading "user".
CREATE FUNCTION user_id_for_auth_token(p_auth_token uuid) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT user_id FROM "user" WHERE auth_token = p_auth_token;
$$;
REVOKE ALL ON FUNCTION session_end(uuid, timestamptz), user_id_for_auth_token(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION session_end(uuid, timestamptz), user_id_for_auth_token(uuid) TO code4me_writer;

-- Analyst: read everything but secrets.
GRANT SELECT ON
    config, project, project_users, session, session_projects, chat,
    context, contextual_telemetry, behavioral_telemetry,
    meta_query, completion_query, chat_query, had_generation, ground_truth,
    model_name, plugin_version, trigger_type, programming_language,
    user_preferences, user_consent, audit_log, schema_migrations
TO code4me_analyst;
GRANT SELECT (user_id, joined_at, email, name, is_oauth_signup, verified, config_id, preference)
    ON "user" TO code4me_analyst;
