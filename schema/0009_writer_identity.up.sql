-- 0009 The writer login writes only as the user its auth token proves (issue #15, finding 3).
--
-- The code4me_writer login is on every participant's machine and user ids are not secret (exports, analyst data,
-- audit logs). Before 0009 that login could INSERT a session, meta_query, chat or consent event naming any user, and
-- update any project's multi-file context (project ids were computable from host name and folder).
--
-- The proof. A writer transaction first sets, transaction-locally (set_config(…, true)),
--   code4me.auth_token       its auth token, the secret `user create` printed ('' or unset: anonymous);
--   code4me.installation_id  its installation id (session.installation_id, kept only on that machine), which is what
--                            an anonymous caller has to show for its projects.
-- writer_user_id() (SECURITY DEFINER) resolves the token to its user; NULL for none or an unknown token (anonymous).
--
-- The checks. Statement-level AFTER INSERT triggers with a transition table: they fire for COPY too (row-level
-- security would forbid COPY FROM for the writer) and cost one scan of the statement's new rows, not one call per row.
-- They refuse (42501, the statement and its transaction fail) a statement of any role that does not have the
-- privileges of the table's owner which inserts
--   into session, meta_query, chat, project_users: a row whose user_id is not the caller's (NULL when anonymous);
--   into project: a row whose owner_user_id is not the caller's;
--   into audit_log: anything but a consent_changed consent event of the caller;
--   into chat_query: a reply to a chat that is not the caller's (another user's; for an anonymous caller, an anonymous
--     chat started in another session than the query's), so nobody can plant a reply in someone's chat history.
-- The owner (migrations, the user and data commands) is not checked, nor are SECURITY DEFINER functions, which run as
-- the owner and check the caller themselves:
--   record_multi_file_context: only the caller's projects (owner_user_id the caller's user; for an anonymous caller
--     NULL, with owner_installation_id its installation). Projects from before 0009 have no owner and are no longer
--     changed; the server derives project ids from its installation id and user from 0009 on, so it makes new ones;
--   session_end, record_generation_feedback: only sessions and queries of the caller's user (anonymous: anonymous ones).
-- The writer may INSERT only project_id, project_name and the owner columns of project: the multi-file context of a
-- project goes through record_multi_file_context, never in with the row.
--
-- What is not checked, because its key is a random client UUID the writer cannot read back and nobody else's server
-- shows it: rows keyed by or pointing at a session or query id (context, telemetry rows, completion_query,
-- had_generation, ground_truth, completion_retention, chat_context_optimization, session_projects). Those ids work as
-- capabilities, as they did before; the user a row speaks for is always checked.

ALTER TABLE project
    ADD COLUMN owner_user_id         uuid,
    ADD COLUMN owner_installation_id uuid;
COMMENT ON COLUMN project.owner_user_id IS 'The user whose server created the project (NULL: anonymous or before 0009); no foreign key, like audit_log.user_id.';
COMMENT ON COLUMN project.owner_installation_id IS 'The installation whose server created the project (the proof of an anonymous owner).';

-- The user of the transaction's code4me.auth_token; NULL when it is unset, empty or nobody's.
CREATE FUNCTION writer_user_id() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT user_id FROM "user" WHERE auth_token = nullif(current_setting('code4me.auth_token', true), '')::uuid;
$$;

-- The transaction's code4me.installation_id; NULL when unset or empty.
CREATE FUNCTION writer_installation_id() RETURNS uuid
    LANGUAGE sql STABLE SET search_path = public, pg_temp
AS $$
    SELECT nullif(current_setting('code4me.installation_id', true), '')::uuid;
$$;

-- True when the current role lacks the privileges of the table's owner: the writer (and any other grantee), not the
-- owner, a superuser, or a SECURITY DEFINER function of the owner.
CREATE FUNCTION writer_is_checked(p_table oid) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = public, pg_temp
AS $$
    SELECT NOT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = p_table;
$$;

-- Refuses the statement when a new row's user column (TG_ARGV[0]) is not the caller's user.
CREATE FUNCTION writer_rows_are_callers() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_user    uuid;
    v_foreign boolean;
BEGIN
    IF NOT writer_is_checked(TG_RELID) THEN
        RETURN NULL;
    END IF;
    v_user := writer_user_id();
    EXECUTE format('SELECT EXISTS (SELECT FROM new_rows WHERE %I IS DISTINCT FROM $1)', TG_ARGV[0]) INTO v_foreign USING v_user;
    IF v_foreign THEN
        RAISE EXCEPTION '% may insert into % only rows of the user its auth token proves', current_user, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = format('%s must be %s (from code4me.auth_token) on every row.', TG_ARGV[0], coalesce(v_user::text, 'NULL'));
    END IF;
    RETURN NULL;
END
$$;

-- Refuses the statement when a new audit row is not a consent_changed consent event of the caller's user.
CREATE FUNCTION writer_audit_rows_are_callers_consent() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_user uuid;
BEGIN
    IF NOT writer_is_checked(TG_RELID) THEN
        RETURN NULL;
    END IF;
    v_user := writer_user_id();
    IF EXISTS (SELECT FROM new_rows
               WHERE user_id IS DISTINCT FROM v_user OR event_type <> 'consent' OR action <> 'consent_changed') THEN
        RAISE EXCEPTION '% may add to audit_log only consent_changed consent events of the user its auth token proves', current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

-- True when every chat of the pairs is the caller's, judged as the chat functions of 0006 judge it (chat_is_owned),
-- with the session of the query's meta_query; a chat that does not exist is left to the foreign key.
CREATE FUNCTION writer_chats_are_callers(p_chat_id uuid[], p_meta_query_id uuid[]) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT NOT EXISTS (
        SELECT FROM unnest(p_chat_id, p_meta_query_id) AS n(chat_id, meta_query_id)
        JOIN chat c ON c.chat_id = n.chat_id
        LEFT JOIN meta_query m ON m.meta_query_id = n.meta_query_id
        WHERE NOT chat_is_owned(c, writer_user_id(), m.session_id));
$$;

-- Refuses the statement when a new chat_query row answers in a chat that is not the caller's.
CREATE FUNCTION writer_chat_queries_are_callers() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    IF writer_is_checked(TG_RELID)
       AND NOT writer_chats_are_callers(ARRAY(SELECT chat_id FROM new_rows), ARRAY(SELECT meta_query_id FROM new_rows)) THEN
        RAISE EXCEPTION '% may add queries only to chats of the user its auth token proves', current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER session_writer_check AFTER INSERT ON session
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_rows_are_callers('user_id');
CREATE TRIGGER meta_query_writer_check AFTER INSERT ON meta_query
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_rows_are_callers('user_id');
CREATE TRIGGER chat_writer_check AFTER INSERT ON chat
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_rows_are_callers('user_id');
CREATE TRIGGER project_users_writer_check AFTER INSERT ON project_users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_rows_are_callers('user_id');
CREATE TRIGGER project_writer_check AFTER INSERT ON project
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_rows_are_callers('owner_user_id');
CREATE TRIGGER audit_log_writer_check AFTER INSERT ON audit_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_audit_rows_are_callers_consent();
CREATE TRIGGER chat_query_writer_check AFTER INSERT ON chat_query
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_chat_queries_are_callers();

REVOKE INSERT ON project FROM code4me_writer;
GRANT INSERT (project_id, project_name, owner_user_id, owner_installation_id) ON project TO code4me_writer;

CREATE OR REPLACE FUNCTION session_end(p_session_id uuid, p_end_time timestamptz) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE session SET end_time = p_end_time
    WHERE session_id = p_session_id AND end_time IS NULL AND user_id IS NOT DISTINCT FROM writer_user_id()
    RETURNING true;
$$;

CREATE OR REPLACE FUNCTION record_generation_feedback(
    p_event_id uuid[], p_meta_query_id uuid[], p_model_id bigint[], p_kind text[],
    p_occurred_at timestamptz[], p_accepted_length integer[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH me AS (
        SELECT writer_user_id() AS user_id
    ), event AS (
        SELECT e.* FROM unnest(p_event_id, p_meta_query_id, p_model_id, p_kind, p_occurred_at, p_accepted_length)
            AS e(event_id, meta_query_id, model_id, kind, occurred_at, accepted_length)
        WHERE EXISTS (SELECT FROM meta_query m, me WHERE m.meta_query_id = e.meta_query_id AND m.user_id IS NOT DISTINCT FROM me.user_id)
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
    FROM unnest(p_project_id, p_contexts, p_changes) AS i(project_id, contexts, changes),
         (SELECT writer_user_id() AS user_id, writer_installation_id() AS installation_id) me
    WHERE p.project_id = i.project_id
      AND p.owner_user_id IS NOT DISTINCT FROM me.user_id
      AND (me.user_id IS NOT NULL OR p.owner_installation_id = me.installation_id)
      AND NOT ((i.contexts || p.multi_file_contexts) = p.multi_file_contexts
               AND multi_file_context_changes_stored(i.changes, i.contexts || p.multi_file_contexts) <@ p.multi_file_context_changes);
$$;

REVOKE ALL ON FUNCTION
    writer_user_id(), writer_installation_id(), writer_is_checked(oid),
    writer_rows_are_callers(), writer_audit_rows_are_callers_consent(),
    writer_chats_are_callers(uuid[], uuid[]), writer_chat_queries_are_callers()
FROM PUBLIC;
-- The triggers call these as the inserting role; resolving one's own token is what user_id_for_auth_token does already.
GRANT EXECUTE ON FUNCTION writer_user_id(), writer_installation_id(), writer_is_checked(oid), writer_chats_are_callers(uuid[], uuid[])
    TO code4me_writer;
