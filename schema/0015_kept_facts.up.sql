-- 0015 Kept facts (issue #18: a report over a million queries in seconds, not half a minute).
--
-- The three fact views (completion_queries, completion_generations, retention_measurements) join and aggregate three to
-- four million rows; computing them took ~20 of the ~28 s of a report over 10^6 queries, however the SQL was written
-- (docs/notes/report-speed.md). Their rows are now kept, unfiltered, in tables (analysis.kept_<view>), and brought up to
-- date from a change log instead of recomputed:
--
--  * analysis.fact_changes: the query ids of every row inserted, updated or deleted in the base tables a fact row reads
--    per query (meta_query, completion_query, had_generation, generation_feedback, ground_truth, completion_retention),
--    one row (an array) per statement, appended by statement-level triggers (transition tables): a writer's batch adds
--    one row per table it writes, and concurrent writers append without waiting on one another.
--  * analysis.fact_state: whether the kept rows are whole (valid) and an epoch. What the change log cannot describe
--    invalidates them: a TRUNCATE of any table the facts read, an UPDATE of the session's installation, of contextual or
--    behavioural telemetry or of a reference name, and `data purge` (its DETACH runs no trigger; it calls
--    analysis.facts_invalidate()). Deletes of sessions, telemetry or reference rows need no trigger: a query refers to
--    them ON DELETE RESTRICT, so they go only after its rows, which the log records.
--  * analysis.facts_refresh() (SECURITY DEFINER, for code4me_analyst; `report` and `data export-dataset` call it first,
--    in a transaction of its own): under an advisory lock, rebuilds the kept rows when they are not valid (the first
--    report after this migration or a purge: as long as a report took before), else takes the logged ids and recomputes
--    exactly those queries. The rebuild marks them valid only if nothing invalidated them meanwhile (the epoch).
--  * The views read kept rows of every query not in the log, plus the view's own SQL over the logged queries
--    (analysis.fact_changed), or the SQL over everything while the kept rows are not valid: every view is exact at any
--    moment, refreshed or not, and equals its SQL row for row (AnalysisViewsTests, KeptFactsTests). A report reads the
--    kept rows as they are (the snapshot's temporary views) instead of copying a million rows.
--  * Data rights: a row deleted from a base table (a deleted user or installation, a purge's boundary rows) deletes the
--    kept rows of its query in the same transaction, and the user id a deleted user's queries lose (ON DELETE SET NULL,
--    an UPDATE) too; `data purge` empties the kept tables after dropping the months. No copy outlives the data.
--  * Cost: the kept rows (~0.5 GB per million queries here, the answers' and ground truths' text included) and, for the
--    writer, one trigger call and one array row per statement (B telemetry measures it).
--
-- analysis.fact_sql(view, scope, filtered, source) holds each fact view's SQL once, restricted to a relation of query ids
-- (scope) or not, with the analysis filter or without: the views, the report's snapshot and the refresh all render it.
-- Statements that name a partition instead of its table (DELETE FROM meta_query_y2026m01) run no trigger of the table:
-- nothing in code4me-lsp does; by hand, call analysis.facts_invalidate() after.

CREATE FUNCTION analysis.fact_sql(p_view text, p_scope text, p_filtered boolean, p_source text DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
AS $fn$
DECLARE
    -- " AND <column> IN (SELECT query_id FROM <scope>)" in each aggregate over a table, or nothing for every query, and the
    -- main table joined to the scope first (the planner keeps the order of more than eight joins as written: the scope's
    -- few ids then drive index lookups instead of being joined last). p_scope may itself be a placeholder such as %1$s,
    -- so it is appended, never formatted.
    in_scope constant text := CASE WHEN p_scope IS NULL THEN NULL ELSE ' IN (SELECT query_id FROM ' || p_scope || ')' END;
    g_scope  constant text := coalesce(' AND g.meta_query_id' || in_scope, '');
    id_scope constant text := coalesce(' AND meta_query_id' || in_scope, '');
    gt_scope constant text := coalesce(' AND completion_query_id' || in_scope, '');
BEGIN
    IF p_view = 'completion_queries' THEN
        RETURN format($sql$
SELECT mq.meta_query_id                                        AS query_id,
       mq."timestamp"                                          AS occurred_at,
       (mq."timestamp" AT TIME ZONE 'UTC')::date               AS day,
       coalesce(mq.user_id, s.installation_id)                 AS participant_id,
       mq.user_id,
       s.installation_id,
       mq.session_id,
       l.language_name                                         AS language,
       t.trigger_type_name                                     AS trigger,
       v.ide_type                                              AS ide,
       v.version_name                                          AS plugin_version,
       mq.server_version,
       mq.total_serving_time                                   AS total_serving_time_ms,
       b.typing_speed,
       b.time_since_last_shown                                 AS time_since_last_shown_ms,
       b.time_since_last_accepted                              AS time_since_last_accepted_ms,
       coalesce(ga.models_answered, 0)                         AS models_answered,
       coalesce(ga.models, '{}')                               AS models,
       sg.model_name                                           AS shown_model,
       sg.generation_time                                      AS shown_generation_time_ms,
       sg.confidence                                           AS shown_confidence,
       sg.model_name IS NOT NULL                               AS was_shown,
       coalesce(ga.was_accepted, false)                        AS was_accepted,
       coalesce(fb.was_rejected, false)                        AS was_rejected,
       coalesce(ga.was_accepted, false) OR fb.meta_query_id IS NOT NULL AS has_outcome,
       gt.completion_query_id IS NOT NULL                      AS has_ground_truth,
       mq.context_id IS NOT NULL                               AS has_context,
       mq.contextual_telemetry_id IS NOT NULL                  AS has_contextual_telemetry,
       mq.behavioral_telemetry_id IS NOT NULL                  AS has_behavioral_telemetry
FROM %4$s
JOIN completion_query cq ON cq.meta_query_id = mq.meta_query_id
JOIN session s ON s.session_id = mq.session_id%5$s
LEFT JOIN contextual_telemetry c ON c.contextual_telemetry_id = mq.contextual_telemetry_id
LEFT JOIN programming_language l ON l.language_id = c.language_id
LEFT JOIN trigger_type t ON t.trigger_type_id = c.trigger_type_id
LEFT JOIN plugin_version v ON v.version_id = c.version_id
LEFT JOIN behavioral_telemetry b ON b.behavioral_telemetry_id = mq.behavioral_telemetry_id
-- Set-based (hash joins over grouped rows), not per-query subqueries: a report reads this view several times.
LEFT JOIN (
    SELECT g.meta_query_id, count(*) AS models_answered, array_agg(m.model_name ORDER BY m.model_name) AS models,
           bool_or(g.was_accepted) AS was_accepted
    FROM had_generation g JOIN model_name m ON m.model_id = g.model_id
    WHERE true%1$s
    GROUP BY g.meta_query_id) ga ON ga.meta_query_id = mq.meta_query_id
LEFT JOIN (
    SELECT DISTINCT ON (g.meta_query_id) g.meta_query_id, m.model_name, g.generation_time, g.confidence
    FROM had_generation g JOIN model_name m ON m.model_id = g.model_id
    WHERE cardinality(g.shown_at) > 0%1$s
    ORDER BY g.meta_query_id, g.shown_at[1], m.model_name) sg ON sg.meta_query_id = mq.meta_query_id
LEFT JOIN (
    SELECT meta_query_id, bool_or(kind = 'rejected') AS was_rejected FROM generation_feedback WHERE true%2$s GROUP BY meta_query_id
) fb ON fb.meta_query_id = mq.meta_query_id
LEFT JOIN (SELECT DISTINCT completion_query_id FROM ground_truth WHERE true%3$s) gt ON gt.completion_query_id = mq.meta_query_id
WHERE mq.query_type = 'completion'%6$s
$sql$,
            g_scope, id_scope, gt_scope, coalesce(p_scope || ' sc JOIN meta_query mq ON mq.meta_query_id = sc.query_id', 'meta_query mq'),
            CASE WHEN p_filtered THEN E'\nCROSS JOIN analysis.filter f' ELSE '' END,
            CASE WHEN p_filtered THEN $filter$
  AND mq."timestamp" >= coalesce(f.since, '-infinity')
  AND mq."timestamp" < coalesce(f.until, 'infinity')
  AND (f.language IS NULL OR l.language_name = f.language)
  AND (analysis.participant() IS NULL OR coalesce(mq.user_id, s.installation_id) = analysis.participant())
  AND ((SELECT analysis.study_id()) IS NULL
       OR mq.user_id IN (SELECT sp.user_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id()))
       OR s.installation_id IN (SELECT sp.installation_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id())))
  AND (f.model IS NULL OR EXISTS (SELECT FROM had_generation g JOIN model_name m ON m.model_id = g.model_id
                                  WHERE g.meta_query_id = mq.meta_query_id AND m.model_name = f.model))$filter$ ELSE '' END);
    ELSIF p_view = 'completion_generations' THEN
        RETURN format($sql$
SELECT q.query_id,
       q.occurred_at,
       q.day,
       q.participant_id,
       q.language,
       q.trigger,
       m.model_name                                   AS model,
       q.models_answered,
       g.generation_time                              AS generation_time_ms,
       g.confidence,
       g.prompt_tokens,
       g.completion_tokens,
       length(g.completion)                           AS completion_chars,
       cardinality(g.shown_at) > 0                    AS was_shown,
       g.shown_at[1]                                  AS first_shown_at,
       q.shown_model = m.model_name                   AS was_shown_first,
       g.was_accepted,
       coalesce(fb.partially_accepted, false)         AS was_partially_accepted,
       coalesce(fb.rejected, false)                   AS was_rejected,
       gt.ground_truth IS NOT NULL                    AS has_ground_truth,
       CASE WHEN gt.ground_truth IS NOT NULL THEN
           rtrim(g.completion) = rtrim(array_to_string(
               (string_to_array(gt.ground_truth, E'\n'))[1:cardinality(string_to_array(g.completion, E'\n'))], E'\n'))
       END                                            AS ground_truth_exact_match,
       g.completion,
       gt.ground_truth
FROM %1$s
JOIN had_generation g ON g.meta_query_id = q.query_id
JOIN model_name m ON m.model_id = g.model_id%5$s
LEFT JOIN (
    SELECT meta_query_id, model_id, bool_or(kind = 'partially_accepted') AS partially_accepted, bool_or(kind = 'rejected') AS rejected
    FROM generation_feedback WHERE true%2$s GROUP BY meta_query_id, model_id
) fb ON fb.meta_query_id = g.meta_query_id AND fb.model_id = g.model_id
LEFT JOIN (
    SELECT DISTINCT ON (completion_query_id) completion_query_id, ground_truth
    FROM ground_truth WHERE true%3$s ORDER BY completion_query_id, truth_timestamp
) gt ON gt.completion_query_id = q.query_id
WHERE true%6$s
$sql$,
            coalesce(p_scope || ' sc JOIN ' || p_source || ' q ON q.query_id = sc.query_id', p_source || ' q'), id_scope, gt_scope, NULL,
            CASE WHEN p_filtered THEN E'\nCROSS JOIN analysis.filter f' ELSE '' END,
            CASE WHEN p_filtered THEN E'\n  AND (f.model IS NULL OR m.model_name = f.model)' ELSE '' END);
    ELSIF p_view = 'retention_measurements' THEN
        RETURN format($sql$
SELECT g.query_id,
       g.occurred_at,
       g.day,
       g.participant_id,
       g.language,
       g.model,
       r.after_seconds,
       r.measured_at,
       r.accepted_chars,
       r.retained_chars,
       2 * r.retained_chars >= r.accepted_chars AS survived
FROM %1$s
JOIN model_name m ON m.model_id = r.model_id
JOIN %2$s g ON g.query_id = r.meta_query_id AND g.model = m.model_name
WHERE true
$sql$,
            coalesce(p_scope || ' sc JOIN completion_retention r ON r.meta_query_id = sc.query_id', 'completion_retention r'), p_source);
    END IF;
    RAISE EXCEPTION 'analysis.fact_sql: % is not a fact view', quote_literal(p_view) USING ERRCODE = 'invalid_parameter_value';
END
$fn$;
COMMENT ON FUNCTION analysis.fact_sql(text, text, boolean, text) IS
    'The SQL of a fact view (completion_queries, completion_generations, retention_measurements): over the queries of the relation p_scope (a column query_id; NULL: every query), under the analysis filter or not, reading its queries or generations from p_source.';

-- Whether the kept rows are whole, and how often they were invalidated. One row.
CREATE TABLE analysis.fact_state (
    one   boolean PRIMARY KEY DEFAULT true CONSTRAINT fact_state_one_row CHECK (one),
    valid boolean NOT NULL,
    epoch bigint NOT NULL
);
INSERT INTO analysis.fact_state (valid, epoch) VALUES (false, 0);
COMMENT ON TABLE analysis.fact_state IS 'Whether the kept fact rows (analysis.kept_*) are whole; one row. analysis.facts_refresh() rebuilds them when not.';
COMMENT ON COLUMN analysis.fact_state.one IS 'Always true: the table''s single row.';
COMMENT ON COLUMN analysis.fact_state.valid IS 'The kept rows equal the fact views'' SQL for every query not in analysis.fact_changes.';
COMMENT ON COLUMN analysis.fact_state.epoch IS 'How many times the kept rows were invalidated: a rebuild marks them valid only if no invalidation came while it ran.';

CREATE TABLE analysis.fact_changes (ids uuid[] NOT NULL);
COMMENT ON TABLE analysis.fact_changes IS 'Queries whose kept fact rows may be out of date: the query ids of the rows one statement inserted, updated or deleted in a base table the facts read (statement triggers). analysis.facts_refresh() empties it.';
COMMENT ON COLUMN analysis.fact_changes.ids IS 'The query ids (meta_query_id) one statement touched.';

-- The kept rows: the fact views' columns, unfiltered.
CREATE TABLE analysis.kept_completion_queries AS SELECT * FROM analysis.completion_queries WITH NO DATA;
ALTER TABLE analysis.kept_completion_queries ADD PRIMARY KEY (query_id);
CREATE TABLE analysis.kept_completion_generations AS SELECT * FROM analysis.completion_generations WITH NO DATA;
ALTER TABLE analysis.kept_completion_generations ADD PRIMARY KEY (query_id, model);
CREATE TABLE analysis.kept_retention_measurements AS SELECT * FROM analysis.retention_measurements WITH NO DATA;
CREATE INDEX kept_retention_measurements_query_id_idx ON analysis.kept_retention_measurements (query_id);
DO $$
DECLARE
    v text;
BEGIN
    FOREACH v IN ARRAY ARRAY['completion_queries', 'completion_generations', 'retention_measurements'] LOOP
        EXECUTE format('COMMENT ON TABLE analysis.%I IS %L', 'kept_' || v,
                       format('The rows of analysis.%s, unfiltered, as of the last analysis.facts_refresh() (queries in analysis.fact_changes excepted); read them through the view.', v));
        EXECUTE (SELECT string_agg(format('COMMENT ON COLUMN analysis.%I.%I IS %L', 'kept_' || v, a.attname, col_description(a.attrelid, a.attnum)), '; ')
                 FROM pg_attribute a WHERE a.attrelid = ('analysis.' || v)::regclass AND a.attnum > 0);
    END LOOP;
END
$$;

-- The queries whose kept rows may be out of date, once each.
CREATE VIEW analysis.fact_changed AS SELECT DISTINCT unnest(ids) AS query_id FROM analysis.fact_changes;
COMMENT ON VIEW analysis.fact_changed IS 'The queries whose kept fact rows may be out of date (analysis.fact_changes, once each): the fact views compute these from the base tables.';
COMMENT ON COLUMN analysis.fact_changed.query_id IS 'A query id (meta_query.meta_query_id).';

GRANT SELECT ON analysis.fact_state, analysis.fact_changes, analysis.kept_completion_queries, analysis.kept_completion_generations,
    analysis.kept_retention_measurements, analysis.fact_changed TO code4me_analyst;

-- Triggers: log the query ids a statement touched; a delete or update also deletes their kept rows at once (data rights).
CREATE FUNCTION analysis.fact_rows_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    ids uuid[];
BEGIN
    -- TG_ARGV[0]: the table's query id column. Static statements per case (plans cached per table).
    IF TG_OP = 'DELETE' THEN
        IF TG_ARGV[0] = 'completion_query_id' THEN
            ids := (SELECT array_agg(completion_query_id) FROM old_rows);
        ELSE
            ids := (SELECT array_agg(meta_query_id) FROM old_rows);
        END IF;
    ELSIF TG_ARGV[0] = 'completion_query_id' THEN
        ids := (SELECT array_agg(completion_query_id) FROM new_rows);
    ELSE
        ids := (SELECT array_agg(meta_query_id) FROM new_rows);
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO analysis.fact_changes (ids) VALUES (ids);
    -- A deleted row, or a query's user set to NULL (a deleted user): its kept rows go in this transaction. Other updates
    -- (a display or an acceptance recorded on had_generation) only wait for the next refresh.
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'meta_query') THEN
        DELETE FROM analysis.kept_completion_queries WHERE query_id = ANY (ids);
        DELETE FROM analysis.kept_completion_generations WHERE query_id = ANY (ids);
        DELETE FROM analysis.kept_retention_measurements WHERE query_id = ANY (ids);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION analysis.fact_rows_changed() IS
    'Statement trigger: logs the query ids the statement touched in analysis.fact_changes; for a delete or an update, also deletes their kept fact rows.';

CREATE FUNCTION analysis.facts_invalidate() RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE analysis.fact_state SET valid = false, epoch = epoch + 1;
$$;
COMMENT ON FUNCTION analysis.facts_invalidate() IS
    'Marks the kept fact rows out of date (the views then compute every query from the base tables until analysis.facts_refresh() rebuilds them). data purge calls it.';

CREATE FUNCTION analysis.facts_invalidated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM analysis.facts_invalidate();
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION analysis.facts_invalidated() IS 'Statement trigger: analysis.facts_invalidate().';

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('meta_query', 'meta_query_id'), ('completion_query', 'meta_query_id'), ('had_generation', 'meta_query_id'),
                                   ('generation_feedback', 'meta_query_id'), ('ground_truth', 'completion_query_id'),
                                   ('completion_retention', 'meta_query_id')) AS v(name, id) LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analysis.fact_rows_changed(%L)',
                       t.name || '_facts_insert', t.name, t.id);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION analysis.fact_rows_changed(%L)',
                       t.name || '_facts_delete', t.name, t.id);
        -- An update keeps a row's query id (its key): the new rows alone name the queries (half the copying of both).
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION analysis.fact_rows_changed(%L)',
                       t.name || '_facts_update', t.name, t.id);
    END LOOP;
    FOR t IN SELECT * FROM (VALUES ('meta_query'), ('completion_query'), ('had_generation'), ('generation_feedback'), ('ground_truth'),
                                   ('completion_retention'), ('session'), ('contextual_telemetry'), ('behavioral_telemetry'),
                                   ('model_name'), ('programming_language'), ('trigger_type'), ('plugin_version')) AS v(name) LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION analysis.facts_invalidated()',
                       t.name || '_facts_truncate', t.name);
    END LOOP;
    FOR t IN SELECT * FROM (VALUES ('session', 'installation_id'), ('contextual_telemetry', 'version_id, trigger_type_id, language_id'),
                                   ('behavioral_telemetry', 'time_since_last_shown, time_since_last_accepted, typing_speed'),
                                   ('model_name', 'model_name'), ('programming_language', 'language_name'),
                                   ('trigger_type', 'trigger_type_name'), ('plugin_version', 'version_name, ide_type')) AS v(name, columns) LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OF %s ON %I FOR EACH STATEMENT EXECUTE FUNCTION analysis.facts_invalidated()',
                       t.name || '_facts_update', t.columns, t.name);
    END LOOP;
END
$$;

-- Brings the kept rows up to date: rebuilds them when not valid, else recomputes the logged queries. Returns whether it
-- rebuilt and how many queries it computed.
CREATE FUNCTION analysis.facts_refresh(OUT rebuilt boolean, OUT queries bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET jit = off SET work_mem = '64MB'
AS $$
DECLARE
    v_valid boolean;
    v_epoch bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('analysis.facts_refresh'));
    SELECT s.valid, s.epoch INTO v_valid, v_epoch FROM analysis.fact_state s;
    rebuilt := NOT v_valid;
    IF rebuilt THEN
        TRUNCATE analysis.kept_completion_queries, analysis.kept_completion_generations, analysis.kept_retention_measurements;
        DELETE FROM analysis.fact_changes;
        EXECUTE 'INSERT INTO analysis.kept_completion_queries ' || analysis.fact_sql('completion_queries', NULL, false);
        GET DIAGNOSTICS queries = ROW_COUNT;
        EXECUTE 'INSERT INTO analysis.kept_completion_generations '
                || analysis.fact_sql('completion_generations', NULL, false, 'analysis.kept_completion_queries');
        EXECUTE 'INSERT INTO analysis.kept_retention_measurements '
                || analysis.fact_sql('retention_measurements', NULL, false, 'analysis.kept_completion_generations');
        -- Statistics now, not when autovacuum comes: without them a refresh of a few queries plans a scan of every row.
        ANALYZE analysis.kept_completion_queries, analysis.kept_completion_generations, analysis.kept_retention_measurements;
        -- Valid only if no invalidation committed (or is committing) since the state was read.
        UPDATE analysis.fact_state SET valid = true WHERE epoch = v_epoch;
    ELSE
        CREATE TEMPORARY TABLE facts_refresh_ids (query_id uuid PRIMARY KEY) ON COMMIT DROP;
        WITH taken AS (DELETE FROM analysis.fact_changes RETURNING ids)
        INSERT INTO pg_temp.facts_refresh_ids SELECT DISTINCT unnest(ids) FROM taken;
        SELECT count(*) INTO queries FROM pg_temp.facts_refresh_ids;
        IF queries > 0 THEN
            ANALYZE pg_temp.facts_refresh_ids;
            DELETE FROM analysis.kept_completion_queries WHERE query_id IN (SELECT query_id FROM pg_temp.facts_refresh_ids);
            DELETE FROM analysis.kept_completion_generations WHERE query_id IN (SELECT query_id FROM pg_temp.facts_refresh_ids);
            DELETE FROM analysis.kept_retention_measurements WHERE query_id IN (SELECT query_id FROM pg_temp.facts_refresh_ids);
            EXECUTE 'INSERT INTO analysis.kept_completion_queries ' || analysis.fact_sql('completion_queries', 'pg_temp.facts_refresh_ids', false);
            EXECUTE 'INSERT INTO analysis.kept_completion_generations '
                    || analysis.fact_sql('completion_generations', 'pg_temp.facts_refresh_ids', false, 'analysis.kept_completion_queries');
            EXECUTE 'INSERT INTO analysis.kept_retention_measurements '
                    || analysis.fact_sql('retention_measurements', 'pg_temp.facts_refresh_ids', false, 'analysis.kept_completion_generations');
        END IF;
        DROP TABLE pg_temp.facts_refresh_ids;
    END IF;
END
$$;
COMMENT ON FUNCTION analysis.facts_refresh() IS
    'Brings the kept fact rows up to date (one at a time): rebuilds them when analysis.fact_state says they are not valid, else recomputes the queries in analysis.fact_changes. code4me-lsp report and data export-dataset call it first.';

-- Empties the kept tables while they are not valid (data purge, after dropping the months: no copy of purged rows stays).
CREATE FUNCTION analysis.facts_discard() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('analysis.facts_refresh'));
    IF (SELECT s.valid FROM analysis.fact_state s) THEN
        RETURN false;
    END IF;
    TRUNCATE analysis.kept_completion_queries, analysis.kept_completion_generations, analysis.kept_retention_measurements;
    RETURN true;
END
$$;
COMMENT ON FUNCTION analysis.facts_discard() IS 'Empties the kept fact tables if they are not valid (data purge calls it after dropping the months it purged).';

REVOKE ALL ON FUNCTION analysis.fact_rows_changed(), analysis.facts_invalidate(), analysis.facts_invalidated(), analysis.facts_refresh(),
    analysis.facts_discard() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analysis.facts_refresh() TO code4me_analyst;

-- Whether a filter on queries is in force (then a kept generation or measurement counts only if its query does).
CREATE FUNCTION analysis.query_filter_in_force() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT f.since IS NOT NULL OR f.until IS NOT NULL OR f.language IS NOT NULL OR f.model IS NOT NULL
               OR analysis.participant() IS NOT NULL OR analysis.study_id() IS NOT NULL
        FROM analysis.filter f);
COMMENT ON FUNCTION analysis.query_filter_in_force() IS 'Some analysis filter (since, until, language, model, participant, study) is in force.';
REVOKE ALL ON FUNCTION analysis.query_filter_in_force() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analysis.query_filter_in_force() TO code4me_analyst;

-- The fact views, while the kept rows are valid: the kept rows of the queries not in the log, and the SQL over the logged
-- queries alone (OFFSET 0: computed first, then filtered like the kept rows; the filter's "unset or equal" clauses would
-- otherwise hide from the planner how few rows the log selects; the filter is one row, OFFSET 0, so its settings are
-- read once, not per row); the SQL over every query while they are not. Sources:
-- %1$s the logged queries (fact_changed), %2$s the view's queries or generations.
UPDATE analysis.definitions SET sources = '{fact_changed}', query = $definition$
SELECT k.* FROM (
    SELECT kq.* FROM analysis.kept_completion_queries kq WHERE kq.query_id NOT IN (SELECT c.query_id FROM %1$s c WHERE c.query_id IS NOT NULL)
    UNION ALL
    SELECT d.* FROM ($definition$ || analysis.fact_sql('completion_queries', '%1$s', false) || $definition$    OFFSET 0) d
) k
CROSS JOIN (SELECT * FROM analysis.filter OFFSET 0) f
WHERE (SELECT st.valid FROM analysis.fact_state st)
  AND k.occurred_at >= coalesce(f.since, '-infinity')
  AND k.occurred_at < coalesce(f.until, 'infinity')
  AND (f.language IS NULL OR k.language = f.language)
  AND ((SELECT analysis.participant()) IS NULL OR k.participant_id = (SELECT analysis.participant()))
  AND ((SELECT analysis.study_id()) IS NULL
       OR k.user_id IN (SELECT sp.user_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id()))
       OR k.installation_id IN (SELECT sp.installation_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id())))
  AND (f.model IS NULL OR f.model = ANY (k.models))
UNION ALL
$definition$ || analysis.fact_sql('completion_queries', NULL, true) || $definition$  AND NOT (SELECT st.valid FROM analysis.fact_state st)
$definition$
WHERE view_name = 'completion_queries';

UPDATE analysis.definitions SET sources = '{fact_changed,completion_queries}', query = $definition$
SELECT k.* FROM (
    SELECT kg.* FROM analysis.kept_completion_generations kg WHERE kg.query_id NOT IN (SELECT c.query_id FROM %1$s c WHERE c.query_id IS NOT NULL)
    UNION ALL
    SELECT d.* FROM ($definition$ || analysis.fact_sql('completion_generations', '%1$s', false, '%2$s') || $definition$    OFFSET 0) d
) k
CROSS JOIN (SELECT * FROM analysis.filter OFFSET 0) f
WHERE (SELECT st.valid FROM analysis.fact_state st)
  AND (NOT (SELECT analysis.query_filter_in_force()) OR k.query_id IN (SELECT q.query_id FROM %2$s q))
  AND (f.model IS NULL OR k.model = f.model)
UNION ALL
$definition$ || analysis.fact_sql('completion_generations', NULL, true, '%2$s') || $definition$  AND NOT (SELECT st.valid FROM analysis.fact_state st)
$definition$
WHERE view_name = 'completion_generations';

UPDATE analysis.definitions SET sources = '{fact_changed,completion_generations}', query = $definition$
SELECT k.* FROM (
    SELECT kr.* FROM analysis.kept_retention_measurements kr WHERE kr.query_id NOT IN (SELECT c.query_id FROM %1$s c WHERE c.query_id IS NOT NULL)
    UNION ALL
    SELECT d.* FROM ($definition$ || analysis.fact_sql('retention_measurements', '%1$s', false, '%2$s') || $definition$    OFFSET 0) d
) k
WHERE (SELECT st.valid FROM analysis.fact_state st)
  AND (NOT (SELECT analysis.query_filter_in_force()) OR (k.query_id, k.model) IN (SELECT g.query_id, g.model FROM %2$s g))
UNION ALL
$definition$ || analysis.fact_sql('retention_measurements', NULL, true, '%2$s') || $definition$  AND NOT (SELECT st.valid FROM analysis.fact_state st)
$definition$
WHERE view_name = 'retention_measurements';

-- fact_changed is computed first (a report's snapshot holds it as a temporary table, analysed, so the planner knows how
-- few queries it recomputes).
INSERT INTO analysis.definitions (position, view_name, sources, query) OVERRIDING SYSTEM VALUE
VALUES (0, 'fact_changed', '{}', 'SELECT DISTINCT unnest(ids) AS query_id FROM analysis.fact_changes');

DO $$
DECLARE
    d record;
BEGIN
    FOR d IN SELECT * FROM analysis.definitions WHERE view_name IN ('completion_queries', 'completion_generations', 'retention_measurements') ORDER BY position LOOP
        EXECUTE format('CREATE OR REPLACE VIEW analysis.%I AS %s', d.view_name,
                       format(d.query, VARIADIC ARRAY(SELECT 'analysis.' || quote_ident(s) FROM unnest(d.sources) WITH ORDINALITY AS u(s, i) ORDER BY i)));
    END LOOP;
END
$$;
