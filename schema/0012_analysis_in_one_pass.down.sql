-- Reverts 0012: the views it added and the two it changed (the 0010 completion_queries and chat_messages, without the
-- participant filter) go back: the others are the 0010 SQL made again from analysis.definitions, unchanged. Nothing is stored.
DROP FUNCTION analysis.audit_dataset_export(jsonb);
DROP VIEW analysis.ab_arms, analysis.generation_time_histogram, analysis.typing_speed_histogram, analysis.rejection_outcomes,
    analysis.hourly_usage, analysis.language_usage, analysis.time_since_last_histogram;

CREATE OR REPLACE VIEW analysis.completion_queries AS
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
  AND (f.model IS NULL OR EXISTS (SELECT FROM had_generation g JOIN model_name m ON m.model_id = g.model_id
                                  WHERE g.meta_query_id = mq.meta_query_id AND m.model_name = f.model));

CREATE OR REPLACE VIEW analysis.chat_messages AS
SELECT mq.meta_query_id                          AS query_id,
       cq.chat_id,
       mq."timestamp"                            AS occurred_at,
       (mq."timestamp" AT TIME ZONE 'UTC')::date AS day,
       coalesce(mq.user_id, s.installation_id)   AS participant_id,
       l.language_name                           AS language,
       m.model_name                              AS model,
       cq.outcome,
       cq.web_enabled,
       g.generation_time                         AS generation_time_ms,
       g.prompt_tokens,
       g.completion_tokens,
       g.cost,
       g.is_mistake,
       ctx.prefix                                AS message,
       g.completion                              AS reply
FROM meta_query mq
JOIN chat_query cq ON cq.meta_query_id = mq.meta_query_id
JOIN session s ON s.session_id = mq.session_id
JOIN had_generation g ON g.meta_query_id = mq.meta_query_id
JOIN model_name m ON m.model_id = g.model_id
CROSS JOIN analysis.filter f
LEFT JOIN context ctx ON ctx.context_id = mq.context_id
LEFT JOIN contextual_telemetry c ON c.contextual_telemetry_id = mq.contextual_telemetry_id
LEFT JOIN programming_language l ON l.language_id = c.language_id
WHERE mq."timestamp" >= coalesce(f.since, '-infinity')
  AND mq."timestamp" < coalesce(f.until, 'infinity')
  AND (f.language IS NULL OR l.language_name = f.language)
  AND (f.model IS NULL OR m.model_name = f.model);

DROP TABLE analysis.definitions;
DROP FUNCTION analysis.participant();
COMMENT ON SCHEMA analysis IS
    'Views over the Code4me V2 telemetry that define the study''s numbers once (report, tests, notebooks). Restrict every view with the settings analysis.since, analysis.until (timestamptz, [since, until)), analysis.model and analysis.language (set_config; unset or empty: no filter).';
