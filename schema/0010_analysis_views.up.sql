-- 0010 Analysis views (issue #18): the study's numbers, defined once in SQL, for the report, the tests and a
-- researcher's notebook alike.
--
--  * Schema analysis holds only views (and two pure functions for Wilson intervals); nothing is stored twice.
--    code4me_analyst has USAGE and SELECT; code4me_writer has nothing here (it reads no telemetry, 0003).
--    The views run with their owner's rights (the default), and expose neither password hashes nor auth tokens.
--  * Fact views, one row per thing: completion_queries (per completion query), completion_generations (per model's
--    answer to one), retention_measurements (per retention measurement), chat_messages (per chat reply).
--  * Aggregate views read only the fact views, so every number is computed the same way everywhere: overview,
--    daily_usage, model_performance, model_comparison, calibration_bins, calibration_summary, retention_survival, data_completeness,
--    chat_summary.
--  * Filters: every fact view (and so every aggregate) keeps only the rows matching the transaction's or session's
--    settings analysis.since, analysis.until (timestamptz; since inclusive, until exclusive), analysis.model and
--    analysis.language (names); unset or '' means no filter. E.g.
--      SELECT set_config('analysis.language', 'python', false); SELECT * FROM analysis.model_performance;
--    (analysis.filter shows the settings in force). This is how `code4me-lsp report --since … --model …` filters.
--  * Times are instants (timestamptz); a day is a UTC calendar day. Acceptance is Code4me V2's was_accepted: a full
--    or a partial acceptance. Rates divide by the shown ones: only what was shown can be accepted.

CREATE SCHEMA analysis;
COMMENT ON SCHEMA analysis IS
    'Views over the Code4me V2 telemetry that define the study''s numbers once (report, tests, notebooks). Restrict every view with the settings analysis.since, analysis.until (timestamptz, [since, until)), analysis.model and analysis.language (set_config; unset or empty: no filter).';

CREATE VIEW analysis.filter AS
SELECT nullif(current_setting('analysis.since', true), '')::timestamptz AS since,
       nullif(current_setting('analysis.until', true), '')::timestamptz AS until,
       nullif(current_setting('analysis.model', true), '')               AS model,
       nullif(current_setting('analysis.language', true), '')            AS language;
COMMENT ON VIEW analysis.filter IS 'The filter in force for every analysis view: the settings analysis.since, analysis.until, analysis.model, analysis.language (NULL: no filter).';
COMMENT ON COLUMN analysis.filter.since IS 'Only queries at or after this instant (setting analysis.since).';
COMMENT ON COLUMN analysis.filter.until IS 'Only queries before this instant (setting analysis.until).';
COMMENT ON COLUMN analysis.filter.model IS 'Only this model: its generations, its chat replies, and the completion queries it answered (setting analysis.model).';
COMMENT ON COLUMN analysis.filter.language IS 'Only queries in this language (programming_language.language_name; setting analysis.language).';

-- Wilson score interval (95 %, z = 1.96) of k successes in n trials; NULL when n = 0.
CREATE FUNCTION analysis.wilson_low(k bigint, n bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN n > 0 THEN
    ((k::float8 / n) + 1.9208 / n - 1.96 * sqrt((k::float8 / n) * (1 - k::float8 / n) / n + 0.9604 / (n::float8 * n))) / (1 + 3.8416 / n)
END;
CREATE FUNCTION analysis.wilson_high(k bigint, n bigint) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN n > 0 THEN
    ((k::float8 / n) + 1.9208 / n + 1.96 * sqrt((k::float8 / n) * (1 - k::float8 / n) / n + 0.9604 / (n::float8 * n))) / (1 + 3.8416 / n)
END;
COMMENT ON FUNCTION analysis.wilson_low(bigint, bigint) IS 'Lower bound of the 95 % Wilson score interval of k successes in n trials (NULL when n = 0).';
COMMENT ON FUNCTION analysis.wilson_high(bigint, bigint) IS 'Upper bound of the 95 % Wilson score interval of k successes in n trials (NULL when n = 0).';

-- ---------------------------------------------------------------------------------------------------------------
-- Fact views
-- ---------------------------------------------------------------------------------------------------------------

CREATE VIEW analysis.completion_queries AS
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
COMMENT ON VIEW analysis.completion_queries IS 'One row per completion query (meta_query of type completion), with what happened to it. Filtered by analysis.filter.';
COMMENT ON COLUMN analysis.completion_queries.query_id IS 'meta_query.meta_query_id (UUIDv7 made by the client).';
COMMENT ON COLUMN analysis.completion_queries.occurred_at IS 'When the editor asked (meta_query.timestamp).';
COMMENT ON COLUMN analysis.completion_queries.day IS 'The UTC calendar day of occurred_at.';
COMMENT ON COLUMN analysis.completion_queries.participant_id IS 'Pseudonymous participant: the user id, else the anonymous installation id of the session (session.installation_id).';
COMMENT ON COLUMN analysis.completion_queries.user_id IS 'The signed-in user (auth token), NULL when anonymous.';
COMMENT ON COLUMN analysis.completion_queries.installation_id IS 'The anonymous id of the installation that recorded the session (a random UUID), NULL for rows without one.';
COMMENT ON COLUMN analysis.completion_queries.session_id IS 'The server session (one editor connection).';
COMMENT ON COLUMN analysis.completion_queries.language IS 'The document''s language id; NULL when consent excluded contextual telemetry.';
COMMENT ON COLUMN analysis.completion_queries.trigger IS 'manual (invoked), auto (on a keystroke) or idle (asked during a pause); see ARCHITECTURE.md, Telemetry definitions.';
COMMENT ON COLUMN analysis.completion_queries.ide IS 'The editor (plugin_version.ide_type).';
COMMENT ON COLUMN analysis.completion_queries.plugin_version IS 'The editor''s version string (plugin_version.version_name).';
COMMENT ON COLUMN analysis.completion_queries.server_version IS 'The code4me-lsp version that served the query.';
COMMENT ON COLUMN analysis.completion_queries.total_serving_time_ms IS 'Milliseconds from the request to the answer sent to the editor (meta_query.total_serving_time).';
COMMENT ON COLUMN analysis.completion_queries.typing_speed IS 'Printable characters typed in the 10 s before the query, divided by 10.';
COMMENT ON COLUMN analysis.completion_queries.time_since_last_shown_ms IS 'Milliseconds since a suggestion was last shown; NULL if never.';
COMMENT ON COLUMN analysis.completion_queries.time_since_last_accepted_ms IS 'Milliseconds since a suggestion was last accepted; NULL if never.';
COMMENT ON COLUMN analysis.completion_queries.models_answered IS 'How many models answered (had_generation rows).';
COMMENT ON COLUMN analysis.completion_queries.models IS 'The names of the models that answered, sorted.';
COMMENT ON COLUMN analysis.completion_queries.shown_model IS 'The model whose answer was shown first (earliest shown_at; ties by name); NULL when nothing was shown.';
COMMENT ON COLUMN analysis.completion_queries.shown_generation_time_ms IS 'Generation time of the shown model''s answer, in ms.';
COMMENT ON COLUMN analysis.completion_queries.shown_confidence IS 'Confidence of the shown answer: exp(mean token logprob).';
COMMENT ON COLUMN analysis.completion_queries.was_shown IS 'Some answer was displayed (a non-empty had_generation.shown_at).';
COMMENT ON COLUMN analysis.completion_queries.was_accepted IS 'Some answer was accepted, fully or partially (had_generation.was_accepted).';
COMMENT ON COLUMN analysis.completion_queries.was_rejected IS 'Some answer was explicitly rejected (a generation_feedback row of kind rejected).';
COMMENT ON COLUMN analysis.completion_queries.has_outcome IS 'Accepted, partially accepted or rejected was reported for some answer (feedback or was_accepted).';
COMMENT ON COLUMN analysis.completion_queries.has_ground_truth IS 'At least one ground_truth row was recorded.';
COMMENT ON COLUMN analysis.completion_queries.has_context IS 'The code context was recorded (consent module context).';
COMMENT ON COLUMN analysis.completion_queries.has_contextual_telemetry IS 'Contextual telemetry was recorded (consent module contextual).';
COMMENT ON COLUMN analysis.completion_queries.has_behavioral_telemetry IS 'Behavioural telemetry was recorded (consent module behavioral).';

CREATE VIEW analysis.completion_generations AS
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
FROM analysis.completion_queries q
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
WHERE f.model IS NULL OR m.model_name = f.model;
COMMENT ON VIEW analysis.completion_generations IS 'One row per model''s answer to a completion query (had_generation), with the query''s dimensions. Filtered by analysis.filter.';
COMMENT ON COLUMN analysis.completion_generations.query_id IS 'The completion query answered.';
COMMENT ON COLUMN analysis.completion_generations.occurred_at IS 'When the query was asked.';
COMMENT ON COLUMN analysis.completion_generations.day IS 'The UTC calendar day of occurred_at.';
COMMENT ON COLUMN analysis.completion_generations.participant_id IS 'Pseudonymous participant: the user id, else the installation id.';
COMMENT ON COLUMN analysis.completion_generations.language IS 'The document''s language id.';
COMMENT ON COLUMN analysis.completion_generations.trigger IS 'manual, auto or idle.';
COMMENT ON COLUMN analysis.completion_generations.model IS 'The model that answered (model_name.model_name).';
COMMENT ON COLUMN analysis.completion_generations.models_answered IS 'How many models answered the query (this one included).';
COMMENT ON COLUMN analysis.completion_generations.generation_time_ms IS 'Milliseconds the model took (had_generation.generation_time).';
COMMENT ON COLUMN analysis.completion_generations.confidence IS 'exp(mean token logprob) of the answer, in [0, 1].';
COMMENT ON COLUMN analysis.completion_generations.prompt_tokens IS 'Prompt tokens the model reported; NULL when it reported none.';
COMMENT ON COLUMN analysis.completion_generations.completion_tokens IS 'Tokens the model generated, before post-processing; NULL when unknown.';
COMMENT ON COLUMN analysis.completion_generations.completion_chars IS 'Length of the answer in characters.';
COMMENT ON COLUMN analysis.completion_generations.was_shown IS 'The answer was displayed at least once.';
COMMENT ON COLUMN analysis.completion_generations.first_shown_at IS 'When it was first displayed.';
COMMENT ON COLUMN analysis.completion_generations.was_shown_first IS 'This is the query''s shown_model (the answer displayed first).';
COMMENT ON COLUMN analysis.completion_generations.was_accepted IS 'Accepted fully or partially (had_generation.was_accepted).';
COMMENT ON COLUMN analysis.completion_generations.was_partially_accepted IS 'A partial acceptance was reported.';
COMMENT ON COLUMN analysis.completion_generations.was_rejected IS 'A rejection was reported.';
COMMENT ON COLUMN analysis.completion_generations.has_ground_truth IS 'The query has a ground truth.';
COMMENT ON COLUMN analysis.completion_generations.ground_truth_exact_match IS 'The answer, trailing whitespace trimmed, equals as many first lines of the earliest ground truth as the answer has lines, trimmed alike; NULL without ground truth.';
COMMENT ON COLUMN analysis.completion_generations.completion IS 'The answer''s text (code).';
COMMENT ON COLUMN analysis.completion_generations.ground_truth IS 'The earliest ground truth: what stood at the query position then, to the end of the answer''s last line (code).';

CREATE VIEW analysis.retention_measurements AS
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
JOIN analysis.completion_generations g ON g.query_id = r.meta_query_id AND g.model = m.model_name;
COMMENT ON VIEW analysis.retention_measurements IS 'One row per retention measurement of an accepted answer (public.completion_retention), with the query''s dimensions. Filtered by analysis.filter.';
COMMENT ON COLUMN analysis.retention_measurements.query_id IS 'The completion query.';
COMMENT ON COLUMN analysis.retention_measurements.occurred_at IS 'When the query was asked.';
COMMENT ON COLUMN analysis.retention_measurements.day IS 'The UTC calendar day of occurred_at.';
COMMENT ON COLUMN analysis.retention_measurements.participant_id IS 'Pseudonymous participant: the user id, else the installation id.';
COMMENT ON COLUMN analysis.retention_measurements.language IS 'The document''s language id.';
COMMENT ON COLUMN analysis.retention_measurements.model IS 'The model whose accepted answer is followed.';
COMMENT ON COLUMN analysis.retention_measurements.after_seconds IS 'Seconds after the first acceptance (15, 30, 120, 300, 600).';
COMMENT ON COLUMN analysis.retention_measurements.measured_at IS 'When it was measured.';
COMMENT ON COLUMN analysis.retention_measurements.accepted_chars IS 'Characters accepted.';
COMMENT ON COLUMN analysis.retention_measurements.retained_chars IS 'Characters of the accepted text still in its region: longest common subsequence with the region''s current text.';
COMMENT ON COLUMN analysis.retention_measurements.survived IS 'At least half the accepted characters are retained (the code is still there, as Copilot counts it).';

CREATE VIEW analysis.chat_messages AS
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
COMMENT ON VIEW analysis.chat_messages IS 'One row per chat reply (a chat query''s had_generation). Filtered by analysis.filter.';
COMMENT ON COLUMN analysis.chat_messages.query_id IS 'The chat query (one user message).';
COMMENT ON COLUMN analysis.chat_messages.chat_id IS 'The conversation.';
COMMENT ON COLUMN analysis.chat_messages.occurred_at IS 'When the message was sent.';
COMMENT ON COLUMN analysis.chat_messages.day IS 'The UTC calendar day of occurred_at.';
COMMENT ON COLUMN analysis.chat_messages.participant_id IS 'Pseudonymous participant: the user id, else the installation id.';
COMMENT ON COLUMN analysis.chat_messages.language IS 'The language of the file the message was about, if any.';
COMMENT ON COLUMN analysis.chat_messages.model IS 'The model that replied.';
COMMENT ON COLUMN analysis.chat_messages.outcome IS 'completed, cancelled or failed.';
COMMENT ON COLUMN analysis.chat_messages.web_enabled IS 'The user allowed web search for this message.';
COMMENT ON COLUMN analysis.chat_messages.generation_time_ms IS 'Milliseconds the reply took.';
COMMENT ON COLUMN analysis.chat_messages.prompt_tokens IS 'Prompt tokens (the provider''s count, or estimated).';
COMMENT ON COLUMN analysis.chat_messages.completion_tokens IS 'Reply tokens.';
COMMENT ON COLUMN analysis.chat_messages.cost IS 'Price of the reply, in the configured currency; NULL when no price is configured.';
COMMENT ON COLUMN analysis.chat_messages.is_mistake IS 'The user marked the reply as a mistake.';
COMMENT ON COLUMN analysis.chat_messages.message IS 'The user''s message, redacted (text).';
COMMENT ON COLUMN analysis.chat_messages.reply IS 'The reply (text).';

-- ---------------------------------------------------------------------------------------------------------------
-- Aggregate views (over the fact views only)
-- ---------------------------------------------------------------------------------------------------------------

CREATE VIEW analysis.overview AS
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
FROM analysis.completion_queries;
COMMENT ON VIEW analysis.overview IS 'The headline numbers of the completion queries (one row).';
COMMENT ON COLUMN analysis.overview.queries IS 'Completion queries.';
COMMENT ON COLUMN analysis.overview.participants IS 'Distinct participants (user id, else installation id).';
COMMENT ON COLUMN analysis.overview.shown IS 'Queries with an answer shown.';
COMMENT ON COLUMN analysis.overview.accepted IS 'Queries with an answer accepted, fully or partially.';
COMMENT ON COLUMN analysis.overview.acceptance_rate IS 'accepted / shown; NULL when nothing was shown.';
COMMENT ON COLUMN analysis.overview.acceptance_ci_low IS 'Lower bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.overview.acceptance_ci_high IS 'Upper bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.overview.median_generation_time_ms IS 'Median generation time of the shown answers, in ms.';
COMMENT ON COLUMN analysis.overview.p95_generation_time_ms IS '95th percentile of the generation time of the shown answers, in ms.';
COMMENT ON COLUMN analysis.overview.first_query_at IS 'The first query''s time.';
COMMENT ON COLUMN analysis.overview.last_query_at IS 'The last query''s time.';

CREATE VIEW analysis.daily_usage AS
SELECT day,
       count(*)                                   AS queries,
       count(DISTINCT participant_id)             AS participants,
       count(*) FILTER (WHERE was_shown)          AS shown,
       count(*) FILTER (WHERE was_accepted)       AS accepted,
       (count(*) FILTER (WHERE was_accepted))::float8 / nullif(count(*) FILTER (WHERE was_shown), 0) AS acceptance_rate,
       analysis.wilson_low(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown))  AS acceptance_ci_low,
       analysis.wilson_high(count(*) FILTER (WHERE was_accepted), count(*) FILTER (WHERE was_shown)) AS acceptance_ci_high,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY shown_generation_time_ms) AS median_generation_time_ms
FROM analysis.completion_queries
GROUP BY day;
COMMENT ON VIEW analysis.daily_usage IS 'Completion queries per UTC day (days without queries have no row).';
COMMENT ON COLUMN analysis.daily_usage.day IS 'The UTC calendar day.';
COMMENT ON COLUMN analysis.daily_usage.queries IS 'Completion queries that day.';
COMMENT ON COLUMN analysis.daily_usage.participants IS 'Distinct participants active that day.';
COMMENT ON COLUMN analysis.daily_usage.shown IS 'Queries with an answer shown.';
COMMENT ON COLUMN analysis.daily_usage.accepted IS 'Queries with an answer accepted, fully or partially.';
COMMENT ON COLUMN analysis.daily_usage.acceptance_rate IS 'accepted / shown.';
COMMENT ON COLUMN analysis.daily_usage.acceptance_ci_low IS 'Lower bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.daily_usage.acceptance_ci_high IS 'Upper bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.daily_usage.median_generation_time_ms IS 'Median generation time of the shown answers, in ms.';

CREATE VIEW analysis.model_performance AS
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
FROM analysis.completion_generations
GROUP BY model;
COMMENT ON VIEW analysis.model_performance IS 'Per model: how often its answers were shown and accepted, how fast, and how often they matched the ground truth.';
COMMENT ON COLUMN analysis.model_performance.model IS 'The model.';
COMMENT ON COLUMN analysis.model_performance.generations IS 'Answers it gave (shown or not).';
COMMENT ON COLUMN analysis.model_performance.shown IS 'Answers displayed.';
COMMENT ON COLUMN analysis.model_performance.accepted IS 'Answers accepted, fully or partially.';
COMMENT ON COLUMN analysis.model_performance.acceptance_rate IS 'accepted / shown.';
COMMENT ON COLUMN analysis.model_performance.acceptance_ci_low IS 'Lower bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.model_performance.acceptance_ci_high IS 'Upper bound of the 95 % Wilson interval of acceptance_rate.';
COMMENT ON COLUMN analysis.model_performance.mean_generation_time_ms IS 'Mean generation time of all its answers, in ms.';
COMMENT ON COLUMN analysis.model_performance.median_generation_time_ms IS 'Median generation time, in ms.';
COMMENT ON COLUMN analysis.model_performance.p95_generation_time_ms IS '95th percentile of the generation time, in ms.';
COMMENT ON COLUMN analysis.model_performance.mean_confidence IS 'Mean confidence of all its answers.';
COMMENT ON COLUMN analysis.model_performance.with_ground_truth IS 'Answers to queries with a ground truth.';
COMMENT ON COLUMN analysis.model_performance.exact_matches IS 'Answers equal to the ground truth (see completion_generations.ground_truth_exact_match).';
COMMENT ON COLUMN analysis.model_performance.exact_match_rate IS 'exact_matches / with_ground_truth.';

CREATE VIEW analysis.model_comparison AS
SELECT model,
       count(*)                                                                      AS queries,
       count(*) FILTER (WHERE was_shown_first)                                       AS shown_first,
       count(*) FILTER (WHERE has_ground_truth)                                      AS with_ground_truth,
       count(*) FILTER (WHERE ground_truth_exact_match)                              AS exact_matches,
       count(*) FILTER (WHERE ground_truth_exact_match AND was_shown_first IS NOT TRUE) AS right_but_not_shown,
       count(*) FILTER (WHERE was_shown_first AND NOT ground_truth_exact_match)      AS shown_but_wrong
FROM analysis.completion_generations
WHERE models_answered >= 2
GROUP BY model;
COMMENT ON VIEW analysis.model_comparison IS 'Queries that several models answered, per model: how often its answer was the one shown, and how often it (or the shown one) matched the ground truth.';
COMMENT ON COLUMN analysis.model_comparison.model IS 'The model.';
COMMENT ON COLUMN analysis.model_comparison.queries IS 'Queries with two or more answers that it answered.';
COMMENT ON COLUMN analysis.model_comparison.shown_first IS 'Of those, where its answer was shown first (the query''s shown_model).';
COMMENT ON COLUMN analysis.model_comparison.with_ground_truth IS 'Of those, with a ground truth.';
COMMENT ON COLUMN analysis.model_comparison.exact_matches IS 'Of those, where its answer matched the ground truth exactly.';
COMMENT ON COLUMN analysis.model_comparison.right_but_not_shown IS 'Its answer matched the ground truth but was not the one shown first: a right answer the user did not see.';
COMMENT ON COLUMN analysis.model_comparison.shown_but_wrong IS 'Its answer was shown first and did not match the ground truth.';

CREATE VIEW analysis.calibration_bins AS
SELECT model,
       least(width_bucket(confidence, 0, 1, 10), 10)       AS bin,
       (least(width_bucket(confidence, 0, 1, 10), 10) - 1) / 10.0 AS confidence_low,
       least(width_bucket(confidence, 0, 1, 10), 10) / 10.0 AS confidence_high,
       count(*)                                            AS shown,
       count(*) FILTER (WHERE was_accepted)                AS accepted,
       avg(confidence)                                     AS mean_confidence,
       (count(*) FILTER (WHERE was_accepted))::float8 / count(*) AS acceptance_rate,
       sum(power(confidence - CASE WHEN was_accepted THEN 1 ELSE 0 END, 2)) AS squared_error_sum
FROM analysis.completion_generations
WHERE was_shown
GROUP BY model, least(width_bucket(confidence, 0, 1, 10), 10);
COMMENT ON VIEW analysis.calibration_bins IS 'Reliability diagram: shown answers per model and confidence decile, with the share accepted. A calibrated model''s acceptance_rate equals its mean_confidence.';
COMMENT ON COLUMN analysis.calibration_bins.model IS 'The model.';
COMMENT ON COLUMN analysis.calibration_bins.bin IS 'Confidence decile 1..10: [0, 0.1), …, [0.9, 1.0] (1.0 falls in bin 10).';
COMMENT ON COLUMN analysis.calibration_bins.confidence_low IS 'The decile''s lower bound.';
COMMENT ON COLUMN analysis.calibration_bins.confidence_high IS 'The decile''s upper bound.';
COMMENT ON COLUMN analysis.calibration_bins.shown IS 'Shown answers in the decile.';
COMMENT ON COLUMN analysis.calibration_bins.accepted IS 'Of those, accepted (fully or partially).';
COMMENT ON COLUMN analysis.calibration_bins.mean_confidence IS 'Mean confidence of those answers.';
COMMENT ON COLUMN analysis.calibration_bins.acceptance_rate IS 'accepted / shown.';
COMMENT ON COLUMN analysis.calibration_bins.squared_error_sum IS 'Sum over the decile''s shown answers of (confidence - accepted)^2, accepted 1 or 0 (the Brier score''s numerator).';

CREATE VIEW analysis.calibration_summary AS
SELECT model,
       sum(shown)::bigint                                                AS shown,
       sum(shown * abs(acceptance_rate - mean_confidence)) / sum(shown)  AS expected_calibration_error,
       sum(squared_error_sum) / sum(shown)                               AS brier_score
FROM analysis.calibration_bins
GROUP BY model;
COMMENT ON VIEW analysis.calibration_summary IS 'Per model, how well confidence predicts acceptance of shown answers.';
COMMENT ON COLUMN analysis.calibration_summary.model IS 'The model.';
COMMENT ON COLUMN analysis.calibration_summary.shown IS 'Shown answers (n).';
COMMENT ON COLUMN analysis.calibration_summary.expected_calibration_error IS 'ECE: sum over the ten deciles of (shown in bin / shown) * |acceptance rate - mean confidence|.';
COMMENT ON COLUMN analysis.calibration_summary.brier_score IS 'Mean of (confidence - accepted)^2 over shown answers, accepted being 1 or 0.';

CREATE VIEW analysis.retention_survival AS
SELECT model,
       after_seconds,
       count(*)                                      AS measured,
       count(*) FILTER (WHERE survived)              AS survived,
       (count(*) FILTER (WHERE survived))::float8 / count(*) AS survival_rate,
       sum(accepted_chars)                           AS accepted_chars,
       sum(retained_chars)                           AS retained_chars,
       sum(retained_chars)::float8 / nullif(sum(accepted_chars), 0) AS retained_share
FROM analysis.retention_measurements
GROUP BY model, after_seconds;
COMMENT ON VIEW analysis.retention_survival IS 'Survival of accepted code per model and delay after acceptance.';
COMMENT ON COLUMN analysis.retention_survival.model IS 'The model.';
COMMENT ON COLUMN analysis.retention_survival.after_seconds IS 'Seconds after the first acceptance.';
COMMENT ON COLUMN analysis.retention_survival.measured IS 'Accepted answers measured at that delay.';
COMMENT ON COLUMN analysis.retention_survival.survived IS 'Of those, with at least half their characters retained.';
COMMENT ON COLUMN analysis.retention_survival.survival_rate IS 'survived / measured.';
COMMENT ON COLUMN analysis.retention_survival.accepted_chars IS 'Characters accepted, summed.';
COMMENT ON COLUMN analysis.retention_survival.retained_chars IS 'Characters retained, summed.';
COMMENT ON COLUMN analysis.retention_survival.retained_share IS 'retained_chars / accepted_chars.';

CREATE VIEW analysis.data_completeness AS
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
FROM analysis.completion_queries;
COMMENT ON VIEW analysis.data_completeness IS 'How complete the recorded completion queries are. A shown answer without an outcome, or a query without ground truth, is usually a client or server bug.';
COMMENT ON COLUMN analysis.data_completeness.queries IS 'Completion queries.';
COMMENT ON COLUMN analysis.data_completeness.shown IS 'Queries with an answer shown.';
COMMENT ON COLUMN analysis.data_completeness.shown_share IS 'shown / queries.';
COMMENT ON COLUMN analysis.data_completeness.shown_with_outcome IS 'Shown queries with an outcome (accepted, partially accepted or rejected).';
COMMENT ON COLUMN analysis.data_completeness.outcome_share IS 'shown_with_outcome / shown.';
COMMENT ON COLUMN analysis.data_completeness.with_ground_truth IS 'Queries with a ground truth.';
COMMENT ON COLUMN analysis.data_completeness.ground_truth_share IS 'with_ground_truth / queries.';
COMMENT ON COLUMN analysis.data_completeness.with_context IS 'Queries with their code context recorded.';
COMMENT ON COLUMN analysis.data_completeness.with_contextual_telemetry IS 'Queries with contextual telemetry.';
COMMENT ON COLUMN analysis.data_completeness.with_behavioral_telemetry IS 'Queries with behavioural telemetry.';

CREATE VIEW analysis.chat_summary AS
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
FROM analysis.chat_messages;
COMMENT ON VIEW analysis.chat_summary IS 'Chat in one row: conversations, messages, mistakes, tokens and cost.';
COMMENT ON COLUMN analysis.chat_summary.chats IS 'Conversations with at least one reply.';
COMMENT ON COLUMN analysis.chat_summary.messages IS 'Replies (one per user message and model).';
COMMENT ON COLUMN analysis.chat_summary.participants IS 'Distinct participants who chatted.';
COMMENT ON COLUMN analysis.chat_summary.mistakes IS 'Replies the user marked as a mistake.';
COMMENT ON COLUMN analysis.chat_summary.mistake_rate IS 'mistakes / messages.';
COMMENT ON COLUMN analysis.chat_summary.not_completed IS 'Replies cancelled or failed.';
COMMENT ON COLUMN analysis.chat_summary.prompt_tokens IS 'Prompt tokens, summed.';
COMMENT ON COLUMN analysis.chat_summary.completion_tokens IS 'Reply tokens, summed.';
COMMENT ON COLUMN analysis.chat_summary.cost IS 'Cost, summed over priced replies; NULL when none was priced.';
COMMENT ON COLUMN analysis.chat_summary.median_generation_time_ms IS 'Median reply time, in ms.';

GRANT USAGE ON SCHEMA analysis TO code4me_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA analysis TO code4me_analyst;
REVOKE ALL ON FUNCTION analysis.wilson_low(bigint, bigint), analysis.wilson_high(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analysis.wilson_low(bigint, bigint), analysis.wilson_high(bigint, bigint) TO code4me_analyst;
