-- Reverts 0013: ab_arms compares the shown models again, the two fact views lose the study filter (their definitions as
-- 0012 left them), analysis.filter is the 0010 view again, and the study tables go, with their enrolments.
-- ab_arms as 0012 left it (arms are the shown models; no arm_source): 0013's replacements undone. A view cannot lose a
-- column in place, so it is made again, with its grant and the comments of the columns 0013 left alone.
DO $$
DECLARE
    arms_0012 constant text := $sql$WITH arm AS (
    SELECT shown_model                          AS arm,
           count(DISTINCT participant_id)       AS participants,
           count(*)                             AS shown,
           count(*) FILTER (WHERE was_accepted) AS accepted
    FROM %1$s
    WHERE was_shown
    GROUP BY shown_model),$sql$;
    arms constant text := $sql$WITH source AS (
    SELECT EXISTS (SELECT FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id()) AND sp.arm IS NOT NULL) AS by_study),
shown AS (
    SELECT CASE WHEN src.by_study THEN coalesce(su.arm, si.arm) ELSE q.shown_model END AS arm,
           CASE WHEN src.by_study THEN 'study_arm' ELSE 'shown_model' END              AS arm_source,
           q.participant_id,
           q.was_accepted
    FROM %1$s q
    CROSS JOIN source src
    LEFT JOIN public.study_participant su ON src.by_study AND su.study_id = (SELECT analysis.study_id()) AND su.user_id = q.user_id
    LEFT JOIN public.study_participant si ON src.by_study AND si.study_id = (SELECT analysis.study_id()) AND si.installation_id = q.installation_id
    WHERE q.was_shown),
arm AS (
    SELECT arm,
           min(arm_source)                      AS arm_source,
           count(DISTINCT participant_id)       AS participants,
           count(*)                             AS shown,
           count(*) FILTER (WHERE was_accepted) AS accepted
    FROM shown
    WHERE arm IS NOT NULL
    GROUP BY arm),$sql$;
    definition text := (SELECT d.query FROM analysis.definitions d WHERE d.view_name = 'ab_arms');
    comments jsonb := (SELECT jsonb_object_agg(a.attname, col_description(a.attrelid, a.attnum)) FROM pg_attribute a
                       WHERE a.attrelid = 'analysis.ab_arms'::regclass AND a.attnum > 0 AND a.attname NOT IN ('arm', 'baseline', 'arm_source'));
    c record;
BEGIN
    definition := replace(replace(replace(definition, E'AS uplift,\n       a.arm_source', 'AS uplift'),
                                  'SELECT arm, arm_source, participants,', 'SELECT arm, participants,'), arms, arms_0012);
    UPDATE analysis.definitions SET query = definition WHERE view_name = 'ab_arms';
    DROP VIEW analysis.ab_arms;
    EXECUTE format('CREATE VIEW analysis.ab_arms AS %s', format(definition, 'analysis.completion_queries'));
    FOR c IN SELECT * FROM jsonb_each_text(comments) LOOP
        EXECUTE format('COMMENT ON COLUMN analysis.ab_arms.%I IS %L', c.key, c.value);
    END LOOP;
END
$$;
GRANT SELECT ON analysis.ab_arms TO code4me_analyst;
COMMENT ON VIEW analysis.ab_arms IS 'An A/B test: per arm (the model whose answer was shown; under the AbTest selection policy each participant sees one model), the share of shown queries accepted, and the difference to the baseline arm (the first by name). Intervals treat queries as independent; a participant''s queries are not, so read them as a lower bound of the uncertainty.';
COMMENT ON COLUMN analysis.ab_arms.arm IS 'The arm: the model whose answer was shown (completion_queries.shown_model).';
COMMENT ON COLUMN analysis.ab_arms.baseline IS 'The arm compared against: the first arm by name.';

DO $$
DECLARE
    participant constant text := 'AND (analysis.participant() IS NULL OR coalesce(mq.user_id, s.installation_id) = analysis.participant())';
    study constant text := participant || $clause$
  AND ((SELECT analysis.study_id()) IS NULL
       OR mq.user_id IN (SELECT sp.user_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id()))
       OR s.installation_id IN (SELECT sp.installation_id FROM public.study_participant sp WHERE sp.study_id = (SELECT analysis.study_id())))$clause$;
    d analysis.definitions;
BEGIN
    FOR d IN SELECT * FROM analysis.definitions WHERE view_name IN ('completion_queries', 'chat_messages') LOOP
        UPDATE analysis.definitions SET query = replace(d.query, study, participant) WHERE position = d.position;
        EXECUTE format('CREATE OR REPLACE VIEW analysis.%I AS %s', d.view_name,
                       (SELECT query FROM analysis.definitions WHERE position = d.position));
    END LOOP;
END
$$;

CREATE OR REPLACE VIEW analysis.filter AS
SELECT nullif(current_setting('analysis.since', true), '')::timestamptz AS since,
       nullif(current_setting('analysis.until', true), '')::timestamptz AS until,
       nullif(current_setting('analysis.model', true), '')               AS model,
       nullif(current_setting('analysis.language', true), '')            AS language;
COMMENT ON VIEW analysis.filter IS 'The filter in force for every analysis view: the settings analysis.since, analysis.until, analysis.model, analysis.language (NULL: no filter).';
COMMENT ON COLUMN analysis.filter.since IS 'Only queries at or after this instant (setting analysis.since).';
COMMENT ON COLUMN analysis.filter.until IS 'Only queries before this instant (setting analysis.until).';
COMMENT ON SCHEMA analysis IS
    'Views over the Code4me V2 telemetry that define the study''s numbers once (report, tests, notebooks). Restrict every view with the settings analysis.since, analysis.until (timestamptz, [since, until)), analysis.model, analysis.language and analysis.participant (a user id or installation id) (set_config; unset or empty: no filter). analysis.definitions holds each view''s query, for computing them over temporary tables in one pass.';

DROP FUNCTION analysis.study_id();
DROP TABLE study_participant, study;
