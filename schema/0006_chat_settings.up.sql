-- 0006 Chat settings, reply usage, context optimisations, and least-privilege chat access (issue 6).
--
--  * chat gains what a conversation is bound to (seed 003's conversations): provider, model,
--    system prompt, context-window size, set when the chat is created and used for every later
--    message of it. Nullable: chats written before 0006 have none (readers fall back to the
--    configuration). chat.session_id is the session the chat was started in; it scopes the
--    chats of an anonymous user (user_id NULL) to the server session that created them.
--  * Token counts per reply are 0002's had_generation.prompt_tokens / completion_tokens (null when
--    the provider reported none); had_generation.cost adds the price of a reply (seed 003's usage
--    logs; null when no price is configured). chat_query.outcome says how the reply ended: a
--    cancelled or failed reply keeps the part that arrived.
--  * chat_context_optimization (seed 003's context_optimizations): one row when a conversation
--    outgrew the context window for a query: which earlier queries were left out verbatim
--    (truncated) or replaced by a summary, and the estimated prompt tokens before and after.
--  * code4me_writer may only INSERT (0003). Reading its user's chats, renaming, deleting and
--    marking replies goes through SECURITY DEFINER functions that check the owner inside. The
--    caller proves who it is with a secret, its auth token ("user".auth_token), never with a user
--    id: the writer login is on every participant's machine and user ids are not secret (exports,
--    analyst data, audit logs). The function resolves the token (as user_id_for_auth_token does);
--    a row is the caller's when chat.user_id is that user, or, for an anonymous caller (token NULL
--    or belonging to no user), when the chat is anonymous AND was started in p_session_id.
--    Nothing else is readable.

ALTER TABLE chat
    ADD COLUMN provider              text,
    ADD COLUMN model_id              bigint REFERENCES model_name (model_id) ON DELETE RESTRICT,
    ADD COLUMN system_prompt         text,
    ADD COLUMN context_window_tokens integer CONSTRAINT chat_context_window_tokens_check CHECK (context_window_tokens > 0),
    ADD COLUMN session_id            uuid REFERENCES session (session_id) ON DELETE SET NULL;
CREATE INDEX chat_model_id_idx ON chat (model_id);
CREATE INDEX chat_session_id_idx ON chat (session_id);

ALTER TABLE chat_query
    ADD COLUMN outcome text NOT NULL DEFAULT 'completed'
        CONSTRAINT chat_query_outcome_check CHECK (outcome IN ('completed', 'cancelled', 'failed'));

ALTER TABLE had_generation
    ADD COLUMN cost numeric(14, 6) CONSTRAINT had_generation_cost_check CHECK (cost >= 0);

CREATE TABLE chat_context_optimization (
    optimization_id   uuid PRIMARY KEY,
    chat_id           uuid NOT NULL REFERENCES chat (chat_id) ON DELETE CASCADE,
    -- The query whose prompt was optimised; goes with it.
    meta_query_id     uuid NOT NULL REFERENCES chat_query (meta_query_id) ON DELETE CASCADE,
    trigger_reason    text NOT NULL CONSTRAINT chat_context_optimization_trigger_reason_check CHECK (trigger_reason IN ('token_limit')),
    optimization_type text NOT NULL
        CONSTRAINT chat_context_optimization_type_check CHECK (optimization_type IN ('truncation', 'summarization')),
    tokens_before     integer NOT NULL CONSTRAINT chat_context_optimization_tokens_before_check CHECK (tokens_before >= 0),
    tokens_after      integer NOT NULL CONSTRAINT chat_context_optimization_tokens_after_check CHECK (tokens_after >= 0),
    -- The summary that replaced the affected queries (chat text); null for a truncation.
    summary           text,
    -- meta_query ids of the earlier queries left out or summarised, oldest first.
    affected_queries  uuid[] NOT NULL,
    created_at        timestamptz NOT NULL,
    CONSTRAINT chat_context_optimization_summary_check CHECK ((optimization_type = 'summarization') = (summary IS NOT NULL))
);
CREATE INDEX chat_context_optimization_chat_id_idx ON chat_context_optimization (chat_id);
CREATE INDEX chat_context_optimization_meta_query_id_idx ON chat_context_optimization (meta_query_id);

GRANT INSERT ON chat_context_optimization TO code4me_writer;
GRANT SELECT ON chat_context_optimization TO code4me_analyst;

-- The owner check every function below applies, on the user resolved from the caller's auth token
-- (p_user_id NULL: anonymous). Not granted: callers never name a user id.
CREATE FUNCTION chat_is_owned(p_chat chat, p_user_id uuid, p_session_id uuid) RETURNS boolean
    LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN p_user_id IS NOT NULL THEN p_chat.user_id IS NOT DISTINCT FROM p_user_id
                ELSE p_chat.user_id IS NULL AND p_chat.session_id IS NOT DISTINCT FROM p_session_id AND p_session_id IS NOT NULL END;
$$;

CREATE FUNCTION chat_find(p_chat_id uuid, p_auth_token uuid, p_session_id uuid)
    RETURNS TABLE (chat_id uuid, user_id uuid, title text, created_at timestamptz, provider text, model text,
                   system_prompt text, context_window_tokens integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT c.chat_id, c.user_id, c.title, c.created_at, c.provider,
           coalesce(m.model_name,
                    (SELECT fm.model_name FROM chat_query cq JOIN had_generation hg ON hg.meta_query_id = cq.meta_query_id
                     JOIN model_name fm ON fm.model_id = hg.model_id
                     WHERE cq.chat_id = c.chat_id ORDER BY hg.meta_query_id LIMIT 1)),
           c.system_prompt, c.context_window_tokens
    FROM chat c LEFT JOIN model_name m ON m.model_id = c.model_id
    WHERE c.chat_id = p_chat_id AND chat_is_owned(c, user_id_for_auth_token(p_auth_token), p_session_id);
$$;

CREATE FUNCTION chat_list(p_auth_token uuid, p_session_id uuid, p_limit integer, p_offset integer)
    RETURNS TABLE (chat_id uuid, user_id uuid, title text, created_at timestamptz, provider text, model text,
                   system_prompt text, context_window_tokens integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT c.chat_id, c.user_id, c.title, c.created_at, c.provider, m.model_name, c.system_prompt, c.context_window_tokens
    FROM (SELECT user_id_for_auth_token(p_auth_token) AS user_id) me
    CROSS JOIN chat c LEFT JOIN model_name m ON m.model_id = c.model_id
    WHERE (c.user_id = me.user_id OR (me.user_id IS NULL AND c.user_id IS NULL AND c.session_id = p_session_id))
    ORDER BY c.created_at DESC, c.chat_id DESC
    LIMIT p_limit OFFSET p_offset;
$$;

CREATE FUNCTION chat_exchanges(p_chat_id uuid, p_auth_token uuid, p_session_id uuid)
    RETURNS TABLE (query_id uuid, chat_id uuid, user_id uuid, "timestamp" timestamptz, message text, reply text, model text,
                   outcome text, generation_time integer, prompt_tokens integer, completion_tokens integer, cost numeric,
                   web_enabled boolean, file_name text, selected_text text, is_mistake boolean, mistake_note text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT mq.meta_query_id, cq.chat_id, mq.user_id, mq."timestamp", coalesce(ctx.prefix, ''), hg.completion, mn.model_name,
           cq.outcome, hg.generation_time, hg.prompt_tokens, hg.completion_tokens, hg.cost,
           cq.web_enabled, ctx.file_name, ctx.selected_text, hg.is_mistake, hg.mistake_note
    FROM chat c
    JOIN chat_query cq ON cq.chat_id = c.chat_id
    JOIN meta_query mq ON mq.meta_query_id = cq.meta_query_id
    LEFT JOIN context ctx ON ctx.context_id = mq.context_id
    JOIN had_generation hg ON hg.meta_query_id = mq.meta_query_id
    JOIN model_name mn ON mn.model_id = hg.model_id
    WHERE c.chat_id = p_chat_id AND chat_is_owned(c, user_id_for_auth_token(p_auth_token), p_session_id)
    ORDER BY mq."timestamp", mq.meta_query_id;
$$;

CREATE FUNCTION chat_rename(p_chat_id uuid, p_auth_token uuid, p_session_id uuid, p_title text) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH renamed AS (
        UPDATE chat c SET title = p_title
        WHERE c.chat_id = p_chat_id AND chat_is_owned(c, user_id_for_auth_token(p_auth_token), p_session_id)
        RETURNING 1)
    SELECT EXISTS (SELECT FROM renamed);
$$;

CREATE FUNCTION chat_set_feedback(p_chat_id uuid, p_query_id uuid, p_auth_token uuid, p_session_id uuid, p_is_mistake boolean, p_note text)
    RETURNS boolean
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH marked AS (
        UPDATE had_generation hg SET is_mistake = p_is_mistake, mistake_note = CASE WHEN p_is_mistake THEN p_note END
        FROM chat_query cq JOIN chat c ON c.chat_id = cq.chat_id
        WHERE hg.meta_query_id = p_query_id AND cq.meta_query_id = hg.meta_query_id AND cq.chat_id = p_chat_id
          AND chat_is_owned(c, user_id_for_auth_token(p_auth_token), p_session_id)
        RETURNING 1)
    SELECT EXISTS (SELECT FROM marked);
$$;

-- Deletes the chat with its queries and the rows they point at (context, contextual and behavioral
-- telemetry): the user's messages go, not only the link to them. The schema alone would cascade
-- only chat_query (and, through it, chat_context_optimization).
CREATE FUNCTION chat_delete(p_chat_id uuid, p_auth_token uuid, p_session_id uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_context    uuid[];
    v_contextual uuid[];
    v_behavioral uuid[];
BEGIN
    PERFORM FROM chat c WHERE c.chat_id = p_chat_id AND chat_is_owned(c, user_id_for_auth_token(p_auth_token), p_session_id) FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    WITH gone AS (
        DELETE FROM meta_query m USING chat_query cq
        WHERE cq.meta_query_id = m.meta_query_id AND cq.chat_id = p_chat_id
        RETURNING m.context_id, m.contextual_telemetry_id, m.behavioral_telemetry_id)
    SELECT array_agg(g.context_id), array_agg(g.contextual_telemetry_id), array_agg(g.behavioral_telemetry_id)
    INTO v_context, v_contextual, v_behavioral FROM gone g;
    DELETE FROM context WHERE context_id = ANY (v_context);
    DELETE FROM contextual_telemetry WHERE contextual_telemetry_id = ANY (v_contextual);
    DELETE FROM behavioral_telemetry WHERE behavioral_telemetry_id = ANY (v_behavioral);
    DELETE FROM chat WHERE chat_id = p_chat_id;
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION
    chat_is_owned(chat, uuid, uuid),
    chat_find(uuid, uuid, uuid),
    chat_list(uuid, uuid, integer, integer),
    chat_exchanges(uuid, uuid, uuid),
    chat_rename(uuid, uuid, uuid, text),
    chat_set_feedback(uuid, uuid, uuid, uuid, boolean, text),
    chat_delete(uuid, uuid, uuid)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    chat_find(uuid, uuid, uuid),
    chat_list(uuid, uuid, integer, integer),
    chat_exchanges(uuid, uuid, uuid),
    chat_rename(uuid, uuid, uuid, text),
    chat_set_feedback(uuid, uuid, uuid, uuid, boolean, text),
    chat_delete(uuid, uuid, uuid)
TO code4me_writer;
