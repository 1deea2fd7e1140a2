-- Reverts 0013: the two fact views lose the study filter (their definitions as 0012 left them), analysis.filter is the
-- 0010 view again, and the study tables go, with their enrolments.
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
