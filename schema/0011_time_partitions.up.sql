-- 0011 Time partitions for the per-event tables (issue #19), so retention drops whole months instead of DELETEing
-- millions of rows one by one.
--
--  * The eleven per-event tables are partitioned BY RANGE on the UUIDv7 id every row of a query shares: meta_query
--    and its children (completion_query, chat_query, had_generation, ground_truth, generation_feedback,
--    completion_retention, chat_context_optimization) on the query's id, context / contextual_telemetry /
--    behavioral_telemetry on their own ids (made by the client in the same millisecond as the query, or a few seconds
--    later for the context). A UUIDv7 starts with its Unix time in milliseconds and uuid compares bytewise, so one
--    calendar month (UTC) is the range [telemetry_partition_bound(month), telemetry_partition_bound(next month)).
--    The keys stay the ids; every foreign key is kept (PostgreSQL 12+ lets keys reference partitioned tables), with
--    the same names, actions and DEFERRABLE flags as before (0008).
--  * Two primary keys gain the query id, because a partitioned table's unique keys must hold the partition key:
--    generation_feedback (meta_query_id, event_id) and chat_context_optimization (meta_query_id, optimization_id).
--    Their ids stay unique in practice (client UUIDv7s); a replayed event still conflicts on the same key.
--  * Per table: one partition per month <table>_yYYYYmMM and <table>_default for every id outside the months created
--    (rows older than the first month, ids made by hand with gen_random_uuid(), a client clock far ahead), so no
--    event is ever refused for want of a partition. No more partitions than that: PostgreSQL 15 locks every partition
--    of a referenced table for each foreign-key check, so each partition costs the writer a little.
--  * Months are created ahead by telemetry_partitions_ensure(through): by this migration (the months of the data
--    already stored, at most 36 back, through two months ahead), and by `code4me-lsp data purge` and
--    `data partitions`, which a study runs from cron (they too keep two months ahead). Never by the writer: its login
--    holds INSERT only, and creating a partition locks the parent table against every editor's batch.
--  * telemetry_partitions_droppable(cutoff): the months whose every query is older than the cutoff and whose rows no
--    younger query uses; `data purge` detaches and drops those (children first) and deletes row by row only in what
--    remains (the boundary month and the default partition).
--  * The analysis views (0010) read these tables: they are kept as they were, recreated over the new tables from
--    their own definitions, comments and grants (analysis_views_stash / analysis_views_restore).
--  * Existing rows are copied into the new tables (in foreign-key order) inside this migration's transaction.

CREATE FUNCTION telemetry_partition_bound(p_at timestamptz) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = public, pg_temp
AS $$
    SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-0000-0000-000000000000')::uuid
    FROM (SELECT lpad(to_hex(floor(extract(epoch FROM p_at) * 1000)::bigint), 12, '0') AS h) x;
$$;
COMMENT ON FUNCTION telemetry_partition_bound(timestamptz) IS
    'The smallest UUIDv7 of the millisecond p_at: the bound of a time partition of the per-event tables.';

-- The partitioned tables, parents before children (the order to create and fill them; children are dropped first).
CREATE FUNCTION telemetry_partitioned_tables() RETURNS text[]
    LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
AS $$
    SELECT ARRAY['context', 'contextual_telemetry', 'behavioral_telemetry', 'meta_query', 'completion_query', 'chat_query',
                 'had_generation', 'ground_truth', 'generation_feedback', 'completion_retention', 'chat_context_optimization'];
$$;

-- Creates the missing monthly partitions of every per-event table for the months from p_from through p_through;
-- returns how many tables it created. A month whose range already holds rows in a default partition cannot be created
-- (PostgreSQL refuses); it then stays in the default partition, where `data purge` deletes row by row, and a WARNING
-- says so.
CREATE FUNCTION telemetry_partitions_ensure(p_through timestamptz, p_from timestamptz DEFAULT now()) RETURNS integer
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_table   text;
    v_month   timestamptz;
    v_name    text;
    v_created integer := 0;
BEGIN
    FOREACH v_table IN ARRAY telemetry_partitioned_tables() LOOP
        v_month := date_trunc('month', p_from, 'UTC');
        WHILE v_month <= date_trunc('month', p_through, 'UTC') LOOP
            v_name := v_table || to_char(v_month AT TIME ZONE 'UTC', '"_y"YYYY"m"MM');
            IF to_regclass(v_name) IS NULL THEN
                BEGIN
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', v_name, v_table,
                                   telemetry_partition_bound(v_month), telemetry_partition_bound(v_month + interval '1 month'));
                    v_created := v_created + 1;
                EXCEPTION WHEN check_violation THEN
                    RAISE WARNING '% holds rows of % in its default partition; that month stays there', v_table, to_char(v_month AT TIME ZONE 'UTC', 'YYYY-MM');
                END;
            END IF;
            v_month := v_month + interval '1 month';
        END LOOP;
    END LOOP;
    RETURN v_created;
END
$$;
COMMENT ON FUNCTION telemetry_partitions_ensure(timestamptz, timestamptz) IS
    'Creates the missing monthly partitions of the per-event tables through the month of p_through (code4me-lsp data purge and data partitions call it).';

-- The monthly partitions (their lower and upper bounds) that `data purge` may drop for a cutoff: in id order, as long
-- as the month ends at or before the cutoff, every meta_query in it is older than the cutoff, and no meta_query of
-- another month uses its context or telemetry rows. Stops at the first month that fails, so what stays is contiguous.
-- Every probe is an index range scan.
CREATE FUNCTION telemetry_partitions_droppable(p_cutoff timestamptz)
    RETURNS TABLE (suffix text, lower_bound uuid, upper_bound uuid)
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
DECLARE
    v_month record;
BEGIN
    FOR v_month IN
        SELECT substring(c.relname FROM '_(y\d{4}m\d{2})$') AS suffix,
               to_date(substring(c.relname FROM '_y(\d{4}m\d{2})$'), 'YYYY"m"MM')::timestamp AT TIME ZONE 'UTC' AS month
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'meta_query'::regclass AND c.relname ~ '_y\d{4}m\d{2}$'
        ORDER BY 2
    LOOP
        lower_bound := telemetry_partition_bound(v_month.month);
        upper_bound := telemetry_partition_bound(v_month.month + interval '1 month');
        EXIT WHEN v_month.month + interval '1 month' > p_cutoff
            OR EXISTS (SELECT FROM meta_query m WHERE m.meta_query_id >= lower_bound AND m.meta_query_id < upper_bound AND m."timestamp" >= p_cutoff)
            OR EXISTS (SELECT FROM meta_query m WHERE m.context_id >= lower_bound AND m.context_id < upper_bound
                                                  AND (m.meta_query_id < lower_bound OR m.meta_query_id >= upper_bound))
            OR EXISTS (SELECT FROM meta_query m WHERE m.contextual_telemetry_id >= lower_bound AND m.contextual_telemetry_id < upper_bound
                                                  AND (m.meta_query_id < lower_bound OR m.meta_query_id >= upper_bound))
            OR EXISTS (SELECT FROM meta_query m WHERE m.behavioral_telemetry_id >= lower_bound AND m.behavioral_telemetry_id < upper_bound
                                                  AND (m.meta_query_id < lower_bound OR m.meta_query_id >= upper_bound))
            OR EXISTS (SELECT 1 FROM unnest(telemetry_partitioned_tables()) t
                       WHERE to_regclass(t || '_' || v_month.suffix) IS NULL);
        suffix := v_month.suffix;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION telemetry_partitions_droppable(timestamptz) IS
    'The oldest monthly partitions data purge may drop whole for a cutoff: every query in them older, none of their rows used by a younger query.';

-- Moves the views of schema analysis aside (definition, comments, grants, in creation order) and drops them, so the
-- tables under them can be replaced; analysis_views_restore() creates them again, by name, over whatever tables
-- then carry those names. Both within one transaction (a temporary table dropped at commit carries the definitions).
CREATE FUNCTION analysis_views_stash() RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    CREATE TEMP TABLE stashed_analysis_view ON COMMIT DROP AS
    SELECT c.oid AS position, c.relname AS name, pg_get_viewdef(c.oid) AS definition, obj_description(c.oid, 'pg_class') AS comment,
           (SELECT array_agg(format('COMMENT ON COLUMN analysis.%I.%I IS %L', c.relname, a.attname, col_description(c.oid, a.attnum)))
            FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NOT NULL) AS column_comments,
           (SELECT array_agg(format('GRANT %s ON analysis.%I TO %I', g.privilege_type, c.relname, r.rolname))
            FROM aclexplode(c.relacl) g JOIN pg_roles r ON r.oid = g.grantee WHERE g.grantee <> c.relowner) AS grants
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'analysis' AND c.relkind = 'v';
    EXECUTE (SELECT coalesce(string_agg(format('DROP VIEW analysis.%I', name), '; ' ORDER BY position DESC), 'SELECT') FROM stashed_analysis_view);
END
$$;

CREATE FUNCTION analysis_views_restore() RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_view      record;
    v_statement text;
BEGIN
    FOR v_view IN SELECT * FROM stashed_analysis_view ORDER BY position LOOP
        EXECUTE format('CREATE VIEW analysis.%I AS %s', v_view.name, v_view.definition);
        IF v_view.comment IS NOT NULL THEN
            EXECUTE format('COMMENT ON VIEW analysis.%I IS %L', v_view.name, v_view.comment);
        END IF;
        FOREACH v_statement IN ARRAY coalesce(v_view.column_comments, '{}') || coalesce(v_view.grants, '{}') LOOP
            EXECUTE v_statement;
        END LOOP;
    END LOOP;
    DROP TABLE stashed_analysis_view;
END
$$;

REVOKE ALL ON FUNCTION
    telemetry_partitions_ensure(timestamptz, timestamptz), telemetry_partitions_droppable(timestamptz),
    analysis_views_stash(), analysis_views_restore()
FROM PUBLIC;

SELECT analysis_views_stash();

-- The old tables step aside into a schema of their own (keeping their index and constraint names out of the way) and
-- are dropped once their rows are copied.
CREATE SCHEMA unpartitioned_telemetry;
ALTER TABLE context SET SCHEMA unpartitioned_telemetry;
ALTER TABLE contextual_telemetry SET SCHEMA unpartitioned_telemetry;
ALTER TABLE behavioral_telemetry SET SCHEMA unpartitioned_telemetry;
ALTER TABLE meta_query SET SCHEMA unpartitioned_telemetry;
ALTER TABLE completion_query SET SCHEMA unpartitioned_telemetry;
ALTER TABLE chat_query SET SCHEMA unpartitioned_telemetry;
ALTER TABLE had_generation SET SCHEMA unpartitioned_telemetry;
ALTER TABLE ground_truth SET SCHEMA unpartitioned_telemetry;
ALTER TABLE generation_feedback SET SCHEMA unpartitioned_telemetry;
ALTER TABLE completion_retention SET SCHEMA unpartitioned_telemetry;
ALTER TABLE chat_context_optimization SET SCHEMA unpartitioned_telemetry;

CREATE TABLE context (
    context_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    prefix        text,
    suffix        text,
    file_name     text,
    selected_text text,
    CONSTRAINT context_pkey PRIMARY KEY (context_id)
) PARTITION BY RANGE (context_id);

CREATE TABLE contextual_telemetry (
    contextual_telemetry_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    version_id                 bigint NOT NULL,
    trigger_type_id            bigint NOT NULL,
    language_id                bigint NOT NULL,
    file_path                  text,
    caret_line                 integer CONSTRAINT contextual_telemetry_caret_line_check CHECK (caret_line >= 0),
    document_char_length       integer CONSTRAINT contextual_telemetry_document_char_length_check CHECK (document_char_length >= 0),
    relative_document_position double precision
        CONSTRAINT contextual_telemetry_relative_document_position_check CHECK (relative_document_position BETWEEN 0 AND 1),
    CONSTRAINT contextual_telemetry_pkey PRIMARY KEY (contextual_telemetry_id),
    CONSTRAINT contextual_telemetry_version_id_fkey FOREIGN KEY (version_id)
        REFERENCES plugin_version (version_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT contextual_telemetry_trigger_type_id_fkey FOREIGN KEY (trigger_type_id)
        REFERENCES trigger_type (trigger_type_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT contextual_telemetry_language_id_fkey FOREIGN KEY (language_id)
        REFERENCES programming_language (language_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE
) PARTITION BY RANGE (contextual_telemetry_id);
CREATE INDEX contextual_telemetry_version_id_idx ON contextual_telemetry (version_id);
CREATE INDEX contextual_telemetry_trigger_type_id_idx ON contextual_telemetry (trigger_type_id);
CREATE INDEX contextual_telemetry_language_id_idx ON contextual_telemetry (language_id);

CREATE TABLE behavioral_telemetry (
    behavioral_telemetry_id  uuid NOT NULL DEFAULT gen_random_uuid(),
    time_since_last_shown    bigint CONSTRAINT behavioral_telemetry_time_since_last_shown_check CHECK (time_since_last_shown >= 0),
    time_since_last_accepted bigint CONSTRAINT behavioral_telemetry_time_since_last_accepted_check CHECK (time_since_last_accepted >= 0),
    typing_speed             double precision CONSTRAINT behavioral_telemetry_typing_speed_check CHECK (typing_speed >= 0),
    CONSTRAINT behavioral_telemetry_pkey PRIMARY KEY (behavioral_telemetry_id)
) PARTITION BY RANGE (behavioral_telemetry_id);

CREATE TABLE meta_query (
    meta_query_id                      uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id                            uuid,
    contextual_telemetry_id            uuid,
    behavioral_telemetry_id            uuid,
    context_id                         uuid,
    session_id                         uuid NOT NULL,
    project_id                         uuid NOT NULL,
    multi_file_context_changes_indexes jsonb NOT NULL DEFAULT '{}',
    "timestamp"                        timestamptz NOT NULL,
    total_serving_time                 integer CONSTRAINT meta_query_total_serving_time_check CHECK (total_serving_time >= 0),
    server_version_id                  bigint,
    query_type                         text NOT NULL CONSTRAINT meta_query_query_type_check CHECK (query_type IN ('chat', 'completion')),
    server_version                     text,
    CONSTRAINT meta_query_pkey PRIMARY KEY (meta_query_id),
    CONSTRAINT meta_query_id_type_key UNIQUE (meta_query_id, query_type),
    CONSTRAINT meta_query_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES "user" (user_id) ON DELETE SET NULL DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT meta_query_contextual_telemetry_id_fkey FOREIGN KEY (contextual_telemetry_id)
        REFERENCES contextual_telemetry (contextual_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT meta_query_behavioral_telemetry_id_fkey FOREIGN KEY (behavioral_telemetry_id)
        REFERENCES behavioral_telemetry (behavioral_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT meta_query_context_id_fkey FOREIGN KEY (context_id)
        REFERENCES context (context_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT meta_query_session_id_fkey FOREIGN KEY (session_id)
        REFERENCES session (session_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT meta_query_project_id_fkey FOREIGN KEY (project_id)
        REFERENCES project (project_id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
) PARTITION BY RANGE (meta_query_id);
CREATE INDEX meta_query_user_id_idx ON meta_query (user_id);
CREATE INDEX meta_query_contextual_telemetry_id_idx ON meta_query (contextual_telemetry_id);
CREATE INDEX meta_query_behavioral_telemetry_id_idx ON meta_query (behavioral_telemetry_id);
CREATE INDEX meta_query_context_id_idx ON meta_query (context_id);
CREATE INDEX meta_query_session_id_idx ON meta_query (session_id);
CREATE INDEX meta_query_project_id_idx ON meta_query (project_id);
CREATE INDEX meta_query_timestamp_idx ON meta_query ("timestamp");
CREATE INDEX meta_query_query_type_timestamp_idx ON meta_query (query_type, "timestamp");
CREATE TRIGGER meta_query_writer_check AFTER INSERT ON meta_query
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_rows_are_callers('user_id');

CREATE TABLE completion_query (
    meta_query_id uuid NOT NULL,
    query_type    text NOT NULL DEFAULT 'completion' CONSTRAINT completion_query_query_type_check CHECK (query_type = 'completion'),
    CONSTRAINT completion_query_pkey PRIMARY KEY (meta_query_id),
    CONSTRAINT completion_query_meta_query_fkey FOREIGN KEY (meta_query_id, query_type)
        REFERENCES meta_query (meta_query_id, query_type) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
) PARTITION BY RANGE (meta_query_id);

CREATE TABLE chat_query (
    meta_query_id uuid NOT NULL,
    query_type    text NOT NULL DEFAULT 'chat' CONSTRAINT chat_query_query_type_check CHECK (query_type = 'chat'),
    chat_id       uuid NOT NULL,
    web_enabled   boolean NOT NULL DEFAULT false,
    outcome       text NOT NULL DEFAULT 'completed'
        CONSTRAINT chat_query_outcome_check CHECK (outcome IN ('completed', 'cancelled', 'failed')),
    CONSTRAINT chat_query_pkey PRIMARY KEY (meta_query_id),
    CONSTRAINT chat_query_chat_id_fkey FOREIGN KEY (chat_id) REFERENCES chat (chat_id) ON DELETE CASCADE,
    CONSTRAINT chat_query_meta_query_fkey FOREIGN KEY (meta_query_id, query_type)
        REFERENCES meta_query (meta_query_id, query_type) ON DELETE CASCADE
) PARTITION BY RANGE (meta_query_id);
CREATE INDEX chat_query_chat_id_idx ON chat_query (chat_id);
CREATE TRIGGER chat_query_writer_check AFTER INSERT ON chat_query
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_chat_queries_are_callers();

CREATE TABLE had_generation (
    meta_query_id     uuid NOT NULL,
    model_id          bigint NOT NULL,
    completion        text NOT NULL,
    generation_time   integer NOT NULL CONSTRAINT had_generation_generation_time_check CHECK (generation_time >= 0),
    shown_at          timestamptz[] NOT NULL DEFAULT '{}',
    was_accepted      boolean NOT NULL DEFAULT false,
    confidence        double precision NOT NULL,
    logprobs          double precision[] NOT NULL DEFAULT '{}',
    prompt_tokens     integer CONSTRAINT had_generation_prompt_tokens_check CHECK (prompt_tokens >= 0),
    completion_tokens integer CONSTRAINT had_generation_completion_tokens_check CHECK (completion_tokens >= 0),
    is_mistake        boolean NOT NULL DEFAULT false,
    mistake_note      text,
    cost              numeric(14, 6) CONSTRAINT had_generation_cost_check CHECK (cost >= 0),
    CONSTRAINT had_generation_mistake_note_check CHECK (mistake_note IS NULL OR is_mistake),
    CONSTRAINT had_generation_pkey PRIMARY KEY (meta_query_id, model_id),
    CONSTRAINT had_generation_meta_query_id_fkey FOREIGN KEY (meta_query_id)
        REFERENCES meta_query (meta_query_id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
    CONSTRAINT had_generation_model_id_fkey FOREIGN KEY (model_id)
        REFERENCES model_name (model_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE
) PARTITION BY RANGE (meta_query_id);
CREATE INDEX had_generation_model_id_idx ON had_generation (model_id);

CREATE TABLE ground_truth (
    completion_query_id uuid NOT NULL,
    truth_timestamp     timestamptz NOT NULL,
    ground_truth        text NOT NULL,
    after_seconds       integer CONSTRAINT ground_truth_after_seconds_check CHECK (after_seconds >= 0),
    context_before      text,
    context_after       text,
    CONSTRAINT ground_truth_pkey PRIMARY KEY (completion_query_id, truth_timestamp),
    CONSTRAINT ground_truth_completion_query_id_fkey FOREIGN KEY (completion_query_id)
        REFERENCES completion_query (meta_query_id) ON DELETE CASCADE
) PARTITION BY RANGE (completion_query_id);

CREATE TABLE generation_feedback (
    event_id        uuid NOT NULL,
    meta_query_id   uuid NOT NULL,
    model_id        bigint NOT NULL,
    kind            text NOT NULL
        CONSTRAINT generation_feedback_kind_check CHECK (kind IN ('accepted', 'partially_accepted', 'rejected')),
    occurred_at     timestamptz NOT NULL,
    accepted_length integer
        CONSTRAINT generation_feedback_accepted_length_check
        CHECK ((kind = 'partially_accepted') = (accepted_length IS NOT NULL) AND accepted_length >= 0),
    CONSTRAINT generation_feedback_pkey PRIMARY KEY (meta_query_id, event_id),
    CONSTRAINT generation_feedback_generation_fkey FOREIGN KEY (meta_query_id, model_id)
        REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE
) PARTITION BY RANGE (meta_query_id);
CREATE INDEX generation_feedback_generation_idx ON generation_feedback (meta_query_id, model_id);
CREATE INDEX generation_feedback_occurred_at_idx ON generation_feedback (occurred_at);

CREATE TABLE completion_retention (
    meta_query_id  uuid NOT NULL,
    model_id       bigint NOT NULL,
    after_seconds  integer NOT NULL CONSTRAINT completion_retention_after_seconds_check CHECK (after_seconds > 0),
    measured_at    timestamptz NOT NULL,
    accepted_chars integer NOT NULL CONSTRAINT completion_retention_accepted_chars_check CHECK (accepted_chars >= 0),
    retained_chars integer NOT NULL
        CONSTRAINT completion_retention_retained_chars_check CHECK (retained_chars >= 0 AND retained_chars <= accepted_chars),
    CONSTRAINT completion_retention_pkey PRIMARY KEY (meta_query_id, model_id, after_seconds),
    CONSTRAINT completion_retention_generation_fkey FOREIGN KEY (meta_query_id, model_id)
        REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE
) PARTITION BY RANGE (meta_query_id);

CREATE TABLE chat_context_optimization (
    optimization_id   uuid NOT NULL,
    chat_id           uuid NOT NULL,
    meta_query_id     uuid NOT NULL,
    trigger_reason    text NOT NULL CONSTRAINT chat_context_optimization_trigger_reason_check CHECK (trigger_reason IN ('token_limit')),
    optimization_type text NOT NULL
        CONSTRAINT chat_context_optimization_type_check CHECK (optimization_type IN ('truncation', 'summarization')),
    tokens_before     integer NOT NULL CONSTRAINT chat_context_optimization_tokens_before_check CHECK (tokens_before >= 0),
    tokens_after      integer NOT NULL CONSTRAINT chat_context_optimization_tokens_after_check CHECK (tokens_after >= 0),
    summary           text,
    affected_queries  uuid[] NOT NULL,
    created_at        timestamptz NOT NULL,
    CONSTRAINT chat_context_optimization_summary_check CHECK ((optimization_type = 'summarization') = (summary IS NOT NULL)),
    CONSTRAINT chat_context_optimization_pkey PRIMARY KEY (meta_query_id, optimization_id),
    CONSTRAINT chat_context_optimization_chat_id_fkey FOREIGN KEY (chat_id) REFERENCES chat (chat_id) ON DELETE CASCADE,
    CONSTRAINT chat_context_optimization_meta_query_id_fkey FOREIGN KEY (meta_query_id)
        REFERENCES chat_query (meta_query_id) ON DELETE CASCADE
) PARTITION BY RANGE (meta_query_id);
CREATE INDEX chat_context_optimization_chat_id_idx ON chat_context_optimization (chat_id);
CREATE INDEX chat_context_optimization_meta_query_id_idx ON chat_context_optimization (meta_query_id);

-- The same grants as before (0003, 0004, 0006): the writer inserts, the analyst reads. Partitions are reached only
-- through their parent, whose privileges apply.
GRANT INSERT ON context, contextual_telemetry, behavioral_telemetry, meta_query, completion_query, chat_query,
    had_generation, ground_truth, completion_retention, chat_context_optimization TO code4me_writer;
GRANT SELECT ON context, contextual_telemetry, behavioral_telemetry, meta_query, completion_query, chat_query,
    had_generation, ground_truth, generation_feedback, completion_retention, chat_context_optimization TO code4me_analyst;

-- The default partition, and one per month: from the month of the oldest query stored (at most 36 months back)
-- through two months ahead.
DO $$
DECLARE
    v_table text;
    v_first timestamptz := greatest(
        date_trunc('month', least(now(), (SELECT min("timestamp") FROM unpartitioned_telemetry.meta_query)), 'UTC'),
        date_trunc('month', now() - interval '36 months', 'UTC'));
BEGIN
    FOREACH v_table IN ARRAY telemetry_partitioned_tables() LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', v_table || '_default', v_table);
    END LOOP;
    PERFORM telemetry_partitions_ensure(now() + interval '2 months', v_first);
END
$$;

INSERT INTO context SELECT * FROM unpartitioned_telemetry.context;
INSERT INTO contextual_telemetry SELECT * FROM unpartitioned_telemetry.contextual_telemetry;
INSERT INTO behavioral_telemetry SELECT * FROM unpartitioned_telemetry.behavioral_telemetry;
INSERT INTO meta_query SELECT * FROM unpartitioned_telemetry.meta_query;
INSERT INTO completion_query SELECT * FROM unpartitioned_telemetry.completion_query;
INSERT INTO chat_query SELECT * FROM unpartitioned_telemetry.chat_query;
INSERT INTO had_generation SELECT * FROM unpartitioned_telemetry.had_generation;
INSERT INTO ground_truth SELECT * FROM unpartitioned_telemetry.ground_truth;
INSERT INTO generation_feedback SELECT * FROM unpartitioned_telemetry.generation_feedback;
INSERT INTO completion_retention SELECT * FROM unpartitioned_telemetry.completion_retention;
INSERT INTO chat_context_optimization SELECT * FROM unpartitioned_telemetry.chat_context_optimization;
DROP TABLE unpartitioned_telemetry.context, unpartitioned_telemetry.contextual_telemetry, unpartitioned_telemetry.behavioral_telemetry, unpartitioned_telemetry.meta_query, unpartitioned_telemetry.completion_query, unpartitioned_telemetry.chat_query, unpartitioned_telemetry.had_generation, unpartitioned_telemetry.ground_truth, unpartitioned_telemetry.generation_feedback, unpartitioned_telemetry.completion_retention, unpartitioned_telemetry.chat_context_optimization;
DROP SCHEMA unpartitioned_telemetry;

SELECT analysis_views_restore();
