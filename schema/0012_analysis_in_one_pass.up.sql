-- 0012 Analysis in one pass (issue #18): a report over a million queries reads each fact view once, not once per figure.
--
--  * analysis.definitions holds the query of every analysis view (but filter) once, its sources (the analysis views it
--    reads) written %1$s, %2$s, … and listed in sources, in an order where each reads only earlier ones. The views are
--    made from it below (format of the query with the analysis views as sources), so a notebook reads the same SQL as ever. A report or
--    an export renders the same queries over temporary tables instead (pg_temp.<view>, CREATE TEMP TABLE … ON COMMIT DROP
--    in its one transaction, so it works through PgBouncer transaction pooling): each fact view is computed once per
--    run, where every aggregate view read through the views recomputes the fact views it stands on (143 s over 10^6
--    queries before this). Temporary tables need only the default TEMP privilege, which code4me_analyst keeps:
--    nothing is stored beyond the transaction, so a deleted data of a deleted user is in no cache.
--  * New filter: the setting analysis.participant (a user id or an installation id, uuid) keeps one participant
--    completion queries and chat replies (`report --user`).
--  * New views: ab_arms (acceptance per arm of an A/B test with the difference to the baseline arm, Newcombe 95 %
--    interval, and the relative uplift), generation_time_histogram, typing_speed_histogram, rejection_outcomes (what
--    the user wrote after rejecting an answer), hourly_usage (the 24 h timeline), language_usage and
--    time_since_last_histogram (time since the last shown / accepted suggestion).
--  * analysis.audit_dataset_export(detail) lets code4me_analyst record a dataset export in audit_log (SECURITY DEFINER:
--    it writes only an export row naming the login of the session).

CREATE FUNCTION analysis.participant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN nullif(current_setting('analysis.participant', true), '')::uuid;
COMMENT ON FUNCTION analysis.participant() IS 'The participant filter in force: the setting analysis.participant (a user id or an installation id), NULL when unset or empty.';
REVOKE ALL ON FUNCTION analysis.participant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analysis.participant() TO code4me_analyst;

COMMENT ON SCHEMA analysis IS
    'Views over the Code4me V2 telemetry that define the study''s numbers once (report, tests, notebooks). Restrict every view with the settings analysis.since, analysis.until (timestamptz, [since, until)), analysis.model, analysis.language and analysis.participant (a user id or installation id) (set_config; unset or empty: no filter). analysis.definitions holds each view''s query, for computing them over temporary tables in one pass.';

CREATE TABLE analysis.definitions (
    position  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    view_name text NOT NULL CONSTRAINT definitions_view_name_key UNIQUE,
    sources   text[] NOT NULL,
    query     text NOT NULL
);
COMMENT ON TABLE analysis.definitions IS 'The query of every analysis view but filter, once. In position order each reads only views of earlier positions.';
COMMENT ON COLUMN analysis.definitions.position IS 'Order of computation: a view''s sources come before it.';
COMMENT ON COLUMN analysis.definitions.view_name IS 'The view in schema analysis.';
COMMENT ON COLUMN analysis.definitions.sources IS 'The analysis views the query reads, as %1$s, %2$s, … in this order.';
COMMENT ON COLUMN analysis.definitions.query IS 'The view''s SELECT, for format(query, <source relations>): the views themselves, or temporary tables holding their rows.';

INSERT INTO analysis.definitions (view_name, sources, query) VALUES
('completion_queries', '{}', $definition$
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
  AND (f.model IS NULL OR EXISTS (SELECT FROM had_generation g JOIN model_name m ON m.model_id = g.model_id
                                  WHERE g.meta_query_id = mq.meta_query_id AND m.model_name = f.model))
$definition$),
('completion_generations', '{completion_queries}', $definition$
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
$definition$),
('retention_measurements', '{completion_generations}', $definition$
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
$definition$),
('chat_messages', '{}', $definition$
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
  AND (analysis.participant() IS NULL OR coalesce(mq.user_id, s.installation_id) = analysis.participant())
  AND (f.model IS NULL OR m.model_name = f.model)
$definition$),
('overview', '{completion_queries}', $definition$
SELECT count(*)                                                          AS queries,
       count(DISTINCT participant_id)                                    AS participants,
       count(*) FILTER (WHERE was_shown)                                 AS shown,
       count(*) FILTER (WHERE was_accepted)                              AS accepted,
       (count(*) FILTER (WHERE was_accepted))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS acceptance_rate,
       analysis.wilson_low(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown))  AS acceptance_ci_low,
       analysis.wilson_high(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown)) AS acceptance_ci_high,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY shown_generation_time_ms) AS median_generation_time_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY shown_generation_time_ms) AS p95_generation_time_ms,
       min(occurred_at)                                                  AS first_query_at,
       max(occurred_at)                                                  AS last_query_at
FROM %1$s
$definition$),
('daily_usage', '{completion_queries}', $definition$
SELECT day,
       count(*)                                   AS queries,
       count(DISTINCT participant_id)             AS participants,
       count(*) FILTER (WHERE was_shown)          AS shown,
       count(*) FILTER (WHERE was_accepted)       AS accepted,
       (count(*) FILTER (WHERE was_accepted))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS acceptance_rate,
       analysis.wilson_low(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown))  AS acceptance_ci_low,
       analysis.wilson_high(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown)) AS acceptance_ci_high,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY shown_generation_time_ms) AS median_generation_time_ms
FROM %1$s
GROUP BY day
$definition$),
('model_performance', '{completion_generations}', $definition$
SELECT model,
       count(*)                                                  AS generations,
       count(*) FILTER (WHERE was_shown)                         AS shown,
       count(*) FILTER (WHERE was_accepted)                      AS accepted,
       (count(*) FILTER (WHERE was_accepted))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS acceptance_rate,
       analysis.wilson_low(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown))  AS acceptance_ci_low,
       analysis.wilson_high(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown)) AS acceptance_ci_high,
       avg(generation_time_ms)::float8                           AS mean_generation_time_ms,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY generation_time_ms)  AS median_generation_time_ms,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY generation_time_ms) AS p95_generation_time_ms,
       avg(confidence)                                           AS mean_confidence,
       count(*) FILTER (WHERE has_ground_truth)                  AS with_ground_truth,
       count(*) FILTER (WHERE ground_truth_exact_match)          AS exact_matches,
       (count(*) FILTER (WHERE ground_truth_exact_match))::float8 / nullif(count(*) FILTER (WHERE has_ground_truth), 0) AS exact_match_rate
FROM %1$s
GROUP BY model
$definition$),
('model_comparison', '{completion_generations}', $definition$
SELECT model,
       count(*)                                                                      AS queries,
       count(*) FILTER (WHERE was_shown_first)                                       AS shown_first,
       count(*) FILTER (WHERE has_ground_truth)                                      AS with_ground_truth,
       count(*) FILTER (WHERE ground_truth_exact_match)                              AS exact_matches,
       count(*) FILTER (WHERE ground_truth_exact_match AND was_shown_first IS NOT TRUE) AS right_but_not_shown,
       count(*) FILTER (WHERE was_shown_first AND NOT ground_truth_exact_match)      AS shown_but_wrong
FROM %1$s
WHERE models_answered >= 2
GROUP BY model
$definition$),
('calibration_bins', '{completion_generations}', $definition$
SELECT model,
       least(width_bucket(confidence, 0, 1, 10), 10)       AS bin,
       (least(width_bucket(confidence, 0, 1, 10), 10) - 1) / 10.0 AS confidence_low,
       least(width_bucket(confidence, 0, 1, 10), 10) / 10.0 AS confidence_high,
       count(*)                                            AS shown,
       count(*) FILTER (WHERE was_accepted)                AS accepted,
       avg(confidence)                                     AS mean_confidence,
       (count(*) FILTER (WHERE was_accepted))::float8 / count(*) AS acceptance_rate,
       sum(power(confidence - CASE WHEN was_accepted THEN 1 ELSE 0 END, 2)) AS squared_error_sum
FROM %1$s
WHERE was_shown
GROUP BY model, least(width_bucket(confidence, 0, 1, 10), 10)
$definition$),
('calibration_summary', '{calibration_bins}', $definition$
SELECT model,
       sum(shown)::bigint                                                AS shown,
       sum(shown * abs(acceptance_rate - mean_confidence)) / sum(shown)  AS expected_calibration_error,
       sum(squared_error_sum) / sum(shown)                               AS brier_score
FROM %1$s
GROUP BY model
$definition$),
('retention_survival', '{retention_measurements}', $definition$
SELECT model,
       after_seconds,
       count(*)                                      AS measured,
       count(*) FILTER (WHERE survived)              AS survived,
       (count(*) FILTER (WHERE survived))::float8 / count(*) AS survival_rate,
       sum(accepted_chars)                           AS accepted_chars,
       sum(retained_chars)                           AS retained_chars,
       sum(retained_chars)::float8 / nullif(sum(accepted_chars), 0) AS retained_share
FROM %1$s
GROUP BY model, after_seconds
$definition$),
('data_completeness', '{completion_queries}', $definition$
SELECT count(*)                                                   AS queries,
       count(*) FILTER (WHERE was_shown)                          AS shown,
       (count(*) FILTER (WHERE was_shown))::float8 / nullif(count(*), 0) AS shown_share,
       count(*) FILTER (WHERE was_shown AND has_outcome)          AS shown_with_outcome,
       (count(*) FILTER (WHERE was_shown AND has_outcome))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS outcome_share,
       count(*) FILTER (WHERE has_ground_truth)                   AS with_ground_truth,
       (count(*) FILTER (WHERE has_ground_truth))::float8 / nullif(count(*), 0) AS ground_truth_share,
       count(*) FILTER (WHERE has_context)                        AS with_context,
       count(*) FILTER (WHERE has_contextual_telemetry)           AS with_contextual_telemetry,
       count(*) FILTER (WHERE has_behavioral_telemetry)           AS with_behavioral_telemetry
FROM %1$s
$definition$),
('chat_summary', '{chat_messages}', $definition$
SELECT count(DISTINCT chat_id)                          AS chats,
       count(*)                                         AS messages,
       count(DISTINCT participant_id)                   AS participants,
       count(*) FILTER (WHERE is_mistake)               AS mistakes,
       (count(*) FILTER (WHERE is_mistake))::float8 / nullif(count(*), 0) AS mistake_rate,
       count(*) FILTER (WHERE outcome <> 'completed')   AS not_completed,
       coalesce(sum(prompt_tokens), 0)                  AS prompt_tokens,
       coalesce(sum(completion_tokens), 0)              AS completion_tokens,
       sum(cost)                                        AS cost,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY generation_time_ms) AS median_generation_time_ms
FROM %1$s
$definition$),
('ab_arms', '{completion_queries}', $definition$
WITH arm AS (
    SELECT shown_model                          AS arm,
           count(DISTINCT participant_id)       AS participants,
           count(*)                             AS shown,
           count(*) FILTER (WHERE was_accepted) AS accepted
    FROM %1$s
    WHERE was_shown
    GROUP BY shown_model),
rated AS (
    SELECT arm, participants, shown, accepted,
           accepted::float8 / shown               AS acceptance_rate,
           analysis.wilson_low(accepted, shown)   AS acceptance_ci_low,
           analysis.wilson_high(accepted, shown)  AS acceptance_ci_high,
           first_value(arm) OVER (ORDER BY arm)   AS baseline
    FROM arm)
SELECT a.arm, a.participants, a.shown, a.accepted, a.acceptance_rate, a.acceptance_ci_low, a.acceptance_ci_high, a.baseline,
       d.difference,
       d.difference - sqrt(power(a.acceptance_rate - a.acceptance_ci_low, 2) + power(b.acceptance_ci_high - b.acceptance_rate, 2)) AS difference_ci_low,
       d.difference + sqrt(power(a.acceptance_ci_high - a.acceptance_rate, 2) + power(b.acceptance_rate - b.acceptance_ci_low, 2)) AS difference_ci_high,
       d.difference / nullif(b.acceptance_rate, 0)                                                                              AS uplift
FROM rated a
JOIN rated b ON b.arm = a.baseline
CROSS JOIN LATERAL (SELECT CASE WHEN a.arm <> a.baseline THEN a.acceptance_rate - b.acceptance_rate END AS difference) d
$definition$),
('generation_time_histogram', '{completion_generations}', $definition$
SELECT model, bin,
       (ARRAY[0, 50, 100, 200, 500, 1000, 2000, 5000])[bin]        AS low_ms,
       (ARRAY[0, 50, 100, 200, 500, 1000, 2000, 5000])[bin + 1]    AS high_ms,
       count(*)                                                    AS answers,
       count(*) FILTER (WHERE was_shown)                           AS shown,
       count(*)::float8 / sum(count(*)) OVER (PARTITION BY model)  AS share
FROM (SELECT model, was_shown, width_bucket(generation_time_ms, ARRAY[0, 50, 100, 200, 500, 1000, 2000, 5000]) AS bin FROM %1$s) g
GROUP BY model, bin
$definition$),
('typing_speed_histogram', '{completion_queries}', $definition$
SELECT bin AS low_chars_per_second,
       CASE WHEN bin < 10 THEN bin + 1 END                          AS high_chars_per_second,
       count(*)                                                     AS queries,
       count(*)::float8 / sum(count(*)) OVER ()                     AS share,
       count(*) FILTER (WHERE was_shown)                            AS shown,
       count(*) FILTER (WHERE was_accepted)                         AS accepted,
       (count(*) FILTER (WHERE was_accepted))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS acceptance_rate
FROM (SELECT least(floor(typing_speed), 10)::int AS bin, was_shown, was_accepted FROM %1$s WHERE typing_speed IS NOT NULL) q
GROUP BY bin
$definition$),
('rejection_outcomes', '{completion_generations}', $definition$
SELECT model,
       count(*)                                                              AS rejected,
       count(*) FILTER (WHERE has_ground_truth)                              AS with_ground_truth,
       count(*) FILTER (WHERE outcome = 'written_anyway')                    AS written_anyway,
       count(*) FILTER (WHERE outcome = 'same_start')                        AS same_start,
       count(*) FILTER (WHERE outcome = 'nothing_written')                   AS nothing_written,
       count(*) FILTER (WHERE outcome = 'other')                             AS other,
       (count(*) FILTER (WHERE outcome = 'written_anyway'))::float8 / nullif(count(*) FILTER (WHERE has_ground_truth), 0) AS written_anyway_share
FROM (
    SELECT model, has_ground_truth,
           CASE WHEN NOT has_ground_truth THEN NULL
                WHEN ground_truth_exact_match THEN 'written_anyway'
                WHEN btrim(split_part(ground_truth, E'\n', 1), E' \t\r') = '' THEN 'nothing_written'
                WHEN btrim(split_part(completion, E'\n', 1), E' \t\r') <> ''
                     AND left(btrim(split_part(ground_truth, E'\n', 1), E' \t\r'), 3) = left(btrim(split_part(completion, E'\n', 1), E' \t\r'), 3) THEN 'same_start'
                ELSE 'other' END AS outcome
    FROM %1$s
    WHERE was_rejected) r
GROUP BY model
$definition$),
('hourly_usage', '{completion_queries}', $definition$
SELECT h.hour_of_day,
       count(q.query_id)                              AS queries,
       count(DISTINCT q.participant_id)               AS participants,
       count(*) FILTER (WHERE q.was_shown)            AS shown,
       count(*) FILTER (WHERE q.was_accepted)         AS accepted,
       (count(*) FILTER (WHERE q.was_accepted))::float8 / nullif(count(*) FILTER (WHERE q.was_shown), 0) AS acceptance_rate
FROM generate_series(0, 23) AS h(hour_of_day)
LEFT JOIN %1$s q ON extract(hour FROM q.occurred_at AT TIME ZONE 'UTC') = h.hour_of_day
GROUP BY h.hour_of_day
$definition$),
('language_usage', '{completion_queries}', $definition$
SELECT coalesce(language, 'unknown')                  AS language,
       count(*)                                       AS queries,
       count(DISTINCT participant_id)                 AS participants,
       count(*) FILTER (WHERE was_shown)              AS shown,
       count(*) FILTER (WHERE was_accepted)           AS accepted,
       (count(*) FILTER (WHERE was_accepted))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS acceptance_rate,
       analysis.wilson_low(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown))  AS acceptance_ci_low,
       analysis.wilson_high(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown)) AS acceptance_ci_high
FROM %1$s
GROUP BY coalesce(language, 'unknown')
$definition$),
('time_since_last_histogram', '{completion_queries}', $definition$
SELECT measure, bin,
       (ARRAY[0, 1, 5, 15, 60, 300])[bin]                                 AS low_seconds,
       (ARRAY[0, 1, 5, 15, 60, 300])[bin + 1]                             AS high_seconds,
       count(*)                                                           AS queries,
       count(*)::float8 / sum(count(*)) OVER (PARTITION BY measure)       AS share,
       count(*) FILTER (WHERE was_shown)                                  AS shown,
       count(*) FILTER (WHERE was_accepted)                               AS accepted,
       (count(*) FILTER (WHERE was_accepted))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS acceptance_rate
FROM (
    SELECT m.measure, q.was_shown, q.was_accepted,
           CASE WHEN m.ms IS NULL THEN 0 ELSE greatest(width_bucket(m.ms / 1000.0, ARRAY[0, 1, 5, 15, 60, 300]::numeric[]), 1) END AS bin
    FROM %1$s q
    CROSS JOIN LATERAL (VALUES ('shown', q.time_since_last_shown_ms), ('accepted', q.time_since_last_accepted_ms)) AS m(measure, ms)
    WHERE q.has_behavioral_telemetry) t
GROUP BY measure, bin
$definition$)
;

-- The views, from their definitions (the same SQL a report runs over its temporary tables).
DO $$
DECLARE
    d analysis.definitions;
BEGIN
    FOR d IN SELECT * FROM analysis.definitions ORDER BY position LOOP
        EXECUTE format('CREATE OR REPLACE VIEW analysis.%I AS %s', d.view_name,
                       format(d.query, VARIADIC ARRAY(SELECT 'analysis.' || quote_ident(s) FROM unnest(d.sources) WITH ORDINALITY AS u(s, i) ORDER BY i)));
    END LOOP;
END
$$;

COMMENT ON VIEW analysis.ab_arms IS 'An A/B test: per arm (the model whose answer was shown; under the AbTest selection policy each participant sees one model), the share of shown queries accepted, and the difference to the baseline arm (the first by name). Intervals treat queries as independent; a participant''s queries are not, so read them as a lower bound of the uncertainty.';
COMMENT ON COLUMN analysis.ab_arms.arm IS 'The arm: the model whose answer was shown (completion_queries.shown_model).';
COMMENT ON COLUMN analysis.ab_arms.participants IS 'Distinct participants who were shown an answer of this arm.';
COMMENT ON COLUMN analysis.ab_arms.shown IS 'Queries with this arm''s answer shown.';
COMMENT ON COLUMN analysis.ab_arms.accepted IS 'Of those, accepted fully or partially.';
COMMENT ON COLUMN analysis.ab_arms.acceptance_rate IS 'accepted / shown.';
COMMENT ON COLUMN analysis.ab_arms.acceptance_ci_low IS 'Lower bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.ab_arms.acceptance_ci_high IS 'Upper bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.ab_arms.baseline IS 'The arm compared against: the first arm by name.';
COMMENT ON COLUMN analysis.ab_arms.difference IS 'acceptance_rate - the baseline''s acceptance_rate (NULL for the baseline).';
COMMENT ON COLUMN analysis.ab_arms.difference_ci_low IS 'Lower bound of the 95 % interval of difference (Newcombe''s hybrid score interval from the two Wilson intervals).';
COMMENT ON COLUMN analysis.ab_arms.difference_ci_high IS 'Upper bound of the 95 % interval of difference.';
COMMENT ON COLUMN analysis.ab_arms.uplift IS 'difference / the baseline''s acceptance_rate: the relative uplift (0.1 = 10 % more acceptances per shown answer).';

COMMENT ON VIEW analysis.generation_time_histogram IS 'Latency distribution: answers per model and generation-time bin.';
COMMENT ON COLUMN analysis.generation_time_histogram.model IS 'The model.';
COMMENT ON COLUMN analysis.generation_time_histogram.bin IS 'The bin, 1..8: [0, 50), [50, 100), [100, 200), [200, 500), [500, 1000), [1000, 2000), [2000, 5000), [5000, ∞) ms.';
COMMENT ON COLUMN analysis.generation_time_histogram.low_ms IS 'The bin''s lower bound in ms (inclusive).';
COMMENT ON COLUMN analysis.generation_time_histogram.high_ms IS 'The bin''s upper bound in ms (exclusive); NULL for the last.';
COMMENT ON COLUMN analysis.generation_time_histogram.answers IS 'The model''s answers whose generation time falls in the bin.';
COMMENT ON COLUMN analysis.generation_time_histogram.shown IS 'Of those, shown.';
COMMENT ON COLUMN analysis.generation_time_histogram.share IS 'answers / the model''s answers.';

COMMENT ON VIEW analysis.typing_speed_histogram IS 'Typing-speed distribution: completion queries per typing-speed bin (1 character per second wide; queries without behavioural telemetry are left out), with their acceptance.';
COMMENT ON COLUMN analysis.typing_speed_histogram.low_chars_per_second IS 'The bin''s lower bound in characters per second (inclusive); 10 is 10 or more.';
COMMENT ON COLUMN analysis.typing_speed_histogram.high_chars_per_second IS 'The bin''s upper bound (exclusive); NULL for the last.';
COMMENT ON COLUMN analysis.typing_speed_histogram.queries IS 'Completion queries whose typing speed (completion_queries.typing_speed) falls in the bin.';
COMMENT ON COLUMN analysis.typing_speed_histogram.share IS 'queries / all queries with a typing speed.';
COMMENT ON COLUMN analysis.typing_speed_histogram.shown IS 'Of those, with an answer shown.';
COMMENT ON COLUMN analysis.typing_speed_histogram.accepted IS 'Of those, with an answer accepted.';
COMMENT ON COLUMN analysis.typing_speed_histogram.acceptance_rate IS 'accepted / shown.';

COMMENT ON VIEW analysis.rejection_outcomes IS 'What the user wrote after rejecting an answer, per model: compared with the ground truth (what stood at the query position afterwards). Each rejected answer with a ground truth falls in exactly one of written_anyway, nothing_written, same_start, other.';
COMMENT ON COLUMN analysis.rejection_outcomes.model IS 'The model whose answer was rejected.';
COMMENT ON COLUMN analysis.rejection_outcomes.rejected IS 'Its answers explicitly rejected (completion_generations.was_rejected).';
COMMENT ON COLUMN analysis.rejection_outcomes.with_ground_truth IS 'Of those, with a ground truth.';
COMMENT ON COLUMN analysis.rejection_outcomes.written_anyway IS 'The ground truth matches the rejected answer exactly (ground_truth_exact_match): the user wrote what was suggested.';
COMMENT ON COLUMN analysis.rejection_outcomes.same_start IS 'Not an exact match, but the first lines (spaces and tabs trimmed) start with the same three characters.';
COMMENT ON COLUMN analysis.rejection_outcomes.nothing_written IS 'The ground truth''s first line is blank (spaces and tabs only): nothing was written at the position.';
COMMENT ON COLUMN analysis.rejection_outcomes.other IS 'Something else was written.';
COMMENT ON COLUMN analysis.rejection_outcomes.written_anyway_share IS 'written_anyway / with_ground_truth.';

COMMENT ON VIEW analysis.hourly_usage IS 'The 24 h timeline: completion queries per hour of the day (UTC), over the whole period; hours without queries are rows of zeros.';
COMMENT ON COLUMN analysis.hourly_usage.hour_of_day IS 'Hour of the day in UTC, 0..23: queries at or after hh:00 and before hh+1:00.';
COMMENT ON COLUMN analysis.hourly_usage.queries IS 'Completion queries in that hour of any day.';
COMMENT ON COLUMN analysis.hourly_usage.participants IS 'Distinct participants with a query in that hour.';
COMMENT ON COLUMN analysis.hourly_usage.shown IS 'Of the queries, with an answer shown.';
COMMENT ON COLUMN analysis.hourly_usage.accepted IS 'Of the queries, with an answer accepted.';
COMMENT ON COLUMN analysis.hourly_usage.acceptance_rate IS 'accepted / shown (NULL when nothing was shown).';

COMMENT ON VIEW analysis.language_usage IS 'Completion queries per programming language (the editor''s language id), with acceptance.';
COMMENT ON COLUMN analysis.language_usage.language IS 'The language id; unknown when the query has no contextual telemetry.';
COMMENT ON COLUMN analysis.language_usage.queries IS 'Completion queries in the language.';
COMMENT ON COLUMN analysis.language_usage.participants IS 'Distinct participants with a query in the language.';
COMMENT ON COLUMN analysis.language_usage.shown IS 'Of the queries, with an answer shown.';
COMMENT ON COLUMN analysis.language_usage.accepted IS 'Of the queries, with an answer accepted.';
COMMENT ON COLUMN analysis.language_usage.acceptance_rate IS 'accepted / shown.';
COMMENT ON COLUMN analysis.language_usage.acceptance_ci_low IS 'Lower bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.language_usage.acceptance_ci_high IS 'Upper bound of the 95 % Wilson interval of acceptance_rate.';

COMMENT ON VIEW analysis.time_since_last_histogram IS 'How long before each completion query the user was last shown / last accepted a suggestion (behavioural telemetry), in bins, with the acceptance of the queries in each bin.';
COMMENT ON COLUMN analysis.time_since_last_histogram.measure IS 'shown: time since the last suggestion was shown (completion_queries.time_since_last_shown_ms); accepted: since the last acceptance (time_since_last_accepted_ms).';
COMMENT ON COLUMN analysis.time_since_last_histogram.bin IS '0: never before in the session (the time is NULL); 1..6: [0, 1), [1, 5), [5, 15), [15, 60), [60, 300), [300, ∞) s.';
COMMENT ON COLUMN analysis.time_since_last_histogram.low_seconds IS 'The bin''s lower bound in seconds (inclusive); NULL for bin 0.';
COMMENT ON COLUMN analysis.time_since_last_histogram.high_seconds IS 'The bin''s upper bound in seconds (exclusive); NULL for bins 0 and 6.';
COMMENT ON COLUMN analysis.time_since_last_histogram.queries IS 'Completion queries with behavioural telemetry in the bin.';
COMMENT ON COLUMN analysis.time_since_last_histogram.share IS 'queries / all queries with behavioural telemetry (per measure).';
COMMENT ON COLUMN analysis.time_since_last_histogram.shown IS 'Of the queries, with an answer shown.';
COMMENT ON COLUMN analysis.time_since_last_histogram.accepted IS 'Of the queries, with an answer accepted.';
COMMENT ON COLUMN analysis.time_since_last_histogram.acceptance_rate IS 'accepted / shown.';

GRANT SELECT ON analysis.definitions, analysis.ab_arms, analysis.generation_time_histogram, analysis.typing_speed_histogram,
    analysis.rejection_outcomes, analysis.hourly_usage, analysis.language_usage, analysis.time_since_last_histogram TO code4me_analyst;

-- A dataset export is audited like every other export (0005: event type export), also when an analyst, who may not write
-- audit_log, runs it. Only this row: event type export, action dataset_exported, the login that ran it in the detail.
CREATE FUNCTION analysis.audit_dataset_export(detail jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    INSERT INTO audit_log (user_id, event_type, action, detail)
    VALUES (NULL, 'export', 'dataset_exported', detail || jsonb_build_object('login', session_user::text))
$$;
COMMENT ON FUNCTION analysis.audit_dataset_export(jsonb) IS 'Records a dataset export in audit_log (event type export, action dataset_exported), the session''s login added to the detail.';
REVOKE ALL ON FUNCTION analysis.audit_dataset_export(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analysis.audit_dataset_export(jsonb) TO code4me_analyst;
