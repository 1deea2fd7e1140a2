-- Reverts 0009: the writer may again insert any user's rows and change any project (the functions get their 0003, 0004
-- and 0007 bodies back). The owner columns of project go, with what they held.
CREATE OR REPLACE FUNCTION session_end(p_session_id uuid, p_end_time timestamptz) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE session SET end_time = p_end_time
    WHERE session_id = p_session_id AND end_time IS NULL
    RETURNING true;
$$;
CREATE OR REPLACE FUNCTION record_generation_feedback(
    p_event_id uuid[], p_meta_query_id uuid[], p_model_id bigint[], p_kind text[],
    p_occurred_at timestamptz[], p_accepted_length integer[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH event AS (
        SELECT * FROM unnest(p_event_id, p_meta_query_id, p_model_id, p_kind, p_occurred_at, p_accepted_length)
            AS e(event_id, meta_query_id, model_id, kind, occurred_at, accepted_length)
    ), per_generation AS (
        SELECT meta_query_id, model_id,
               coalesce(array_agg(occurred_at) FILTER (WHERE kind = 'shown'), '{}') AS shown,
               bool_or(kind IN ('accepted', 'partially_accepted')) AS accepted
        FROM event GROUP BY meta_query_id, model_id
    ), updated AS (
        UPDATE had_generation h
        SET shown_at = ARRAY(SELECT DISTINCT t FROM unnest(h.shown_at || g.shown) AS t ORDER BY t),
            was_accepted = h.was_accepted OR g.accepted
        FROM per_generation g
        WHERE h.meta_query_id = g.meta_query_id AND h.model_id = g.model_id
          AND (NOT g.shown <@ h.shown_at OR (g.accepted AND NOT h.was_accepted))
        RETURNING 1
    )
    INSERT INTO generation_feedback (event_id, meta_query_id, model_id, kind, occurred_at, accepted_length)
    SELECT e.event_id, e.meta_query_id, e.model_id, e.kind, e.occurred_at, e.accepted_length
    FROM event e
    WHERE e.kind <> 'shown'
      AND EXISTS (SELECT FROM had_generation h WHERE h.meta_query_id = e.meta_query_id AND h.model_id = e.model_id)
    ON CONFLICT DO NOTHING;
$$;
CREATE OR REPLACE FUNCTION record_multi_file_context(p_project_id uuid[], p_contexts jsonb[], p_changes jsonb[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE project p
    SET multi_file_contexts = i.contexts || p.multi_file_contexts,
        multi_file_context_changes = p.multi_file_context_changes
            || multi_file_context_changes_stored(i.changes, i.contexts || p.multi_file_contexts)
    FROM unnest(p_project_id, p_contexts, p_changes) AS i(project_id, contexts, changes)
    WHERE p.project_id = i.project_id
      AND NOT ((i.contexts || p.multi_file_contexts) = p.multi_file_contexts
               AND multi_file_context_changes_stored(i.changes, i.contexts || p.multi_file_contexts) <@ p.multi_file_context_changes);
$$;

REVOKE INSERT (project_id, project_name, owner_user_id, owner_installation_id) ON project FROM code4me_writer;
GRANT INSERT ON project TO code4me_writer;

DROP TRIGGER chat_query_writer_check ON chat_query;
DROP TRIGGER audit_log_writer_check ON audit_log;
DROP TRIGGER project_writer_check ON project;
DROP TRIGGER project_users_writer_check ON project_users;
DROP TRIGGER chat_writer_check ON chat;
DROP TRIGGER meta_query_writer_check ON meta_query;
DROP TRIGGER session_writer_check ON session;
DROP FUNCTION writer_chat_queries_are_callers();
DROP FUNCTION writer_chats_are_callers(uuid[], uuid[]);
DROP FUNCTION writer_audit_rows_are_callers_consent();
DROP FUNCTION writer_rows_are_callers();
DROP FUNCTION writer_is_checked(oid);
DROP FUNCTION writer_installation_id();
DROP FUNCTION writer_user_id();

ALTER TABLE project
    DROP COLUMN owner_installation_id,
    DROP COLUMN owner_user_id;
