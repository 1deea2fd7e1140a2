-- 0015 down: the fact views computed from the base tables again (0013's definitions, restored as they were), without the
-- kept rows, their change log, state, triggers and functions.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['meta_query', 'completion_query', 'had_generation', 'generation_feedback', 'ground_truth', 'completion_retention'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_facts_insert', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_facts_delete', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_facts_update', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['meta_query', 'completion_query', 'had_generation', 'generation_feedback', 'ground_truth', 'completion_retention',
                             'session', 'contextual_telemetry', 'behavioral_telemetry', 'model_name', 'programming_language', 'trigger_type',
                             'plugin_version'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_facts_truncate', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['session', 'contextual_telemetry', 'behavioral_telemetry', 'model_name', 'programming_language', 'trigger_type',
                             'plugin_version'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_facts_update', t);
    END LOOP;
END
$$;

DELETE FROM analysis.definitions WHERE view_name = 'fact_changed';

UPDATE analysis.definitions SET sources = '{}', query = $definition$
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
FROM meta_query mq
JOIN completion_query cq ON cq.meta_query_id = mq.meta_query_id
JOIN session s ON s.session_id = mq.session_id
CROSS JOIN analysis.filter f
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
    GROUP BY g.meta_query_id) ga ON ga.meta_query_id = mq.meta_query_id
LEFT JOIN (
    SELECT DISTINCT ON (g.meta_query_id) g.meta_query_id, m.model_name, g.generation_time, g.confidence
    FROM had_generation g JOIN model_name m ON m.model_id = g.model_id
    WHERE cardinality(g.shown_at) > 0
    ORDER BY g.meta_query_id, g.shown_at[1], m.model_name) sg ON sg.meta_query_id = mq.meta_query_id
LEFT JOIN (
    SELECT meta_query_id, bool_or(kind = 'rejected') AS was_rejected FROM generation_feedback GROUP BY meta_query_id
) fb ON fb.meta_query_id = mq.meta_query_id
LEFT JOIN (SELECT DISTINCT completion_query_id FROM ground_truth) gt ON gt.completion_query_id = mq.meta_query_id
WHERE mq.query_type = 'completion'
  AND mq."timestamp" >= coalesce(f.since, '-infinity')
  AND mq."timestamp" < coalesce(f.until, 'infinity')
  AND (f.language IS NULL OR l.language_name = f.language)
  AND (analysis.participant() IS NULL OR coalesce(mq.user_id, s.installation_id) = analysis.participant())
  AND ((SELECT analysis.study_id()) IS NULL
       OR mq.user_id IN (SELECT sp.user_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id()))
       OR s.installation_id IN (SELECT sp.installation_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id())))
  AND (f.model IS NULL OR EXISTS (SELECT FROM had_generation g JOIN model_name m ON m.model_id = g.model_id
                                  WHERE g.meta_query_id = mq.meta_query_id AND m.model_name = f.model))
$definition$
WHERE view_name = 'completion_queries';

UPDATE analysis.definitions SET sources = '{completion_queries}', query = $definition$
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
FROM %1$s q
JOIN had_generation g ON g.meta_query_id = q.query_id
JOIN model_name m ON m.model_id = g.model_id
CROSS JOIN analysis.filter f
LEFT JOIN (
    SELECT meta_query_id, model_id, bool_or(kind = 'partially_accepted') AS partially_accepted, bool_or(kind = 'rejected') AS rejected
    FROM generation_feedback GROUP BY meta_query_id, model_id
) fb ON fb.meta_query_id = g.meta_query_id AND fb.model_id = g.model_id
LEFT JOIN (
    SELECT DISTINCT ON (completion_query_id) completion_query_id, ground_truth
    FROM ground_truth ORDER BY completion_query_id, truth_timestamp
) gt ON gt.completion_query_id = q.query_id
WHERE f.model IS NULL OR m.model_name = f.model
$definition$
WHERE view_name = 'completion_generations';

UPDATE analysis.definitions SET sources = '{completion_generations}', query = $definition$
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
FROM completion_retention r
JOIN model_name m ON m.model_id = r.model_id
JOIN %1$s g ON g.query_id = r.meta_query_id AND g.model = m.model_name
$definition$
WHERE view_name = 'retention_measurements';

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

DROP VIEW analysis.fact_changed;
DROP FUNCTION analysis.query_filter_in_force();
DROP FUNCTION analysis.facts_discard();
DROP FUNCTION analysis.facts_refresh();
DROP FUNCTION analysis.facts_invalidated();
DROP FUNCTION analysis.facts_invalidate();
DROP FUNCTION analysis.fact_rows_changed();
DROP TABLE analysis.kept_retention_measurements, analysis.kept_completion_generations, analysis.kept_completion_queries,
    analysis.fact_changes, analysis.fact_state;
DROP FUNCTION analysis.fact_sql(text, text, boolean, text);
