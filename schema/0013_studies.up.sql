-- 0013 Studies (issue #18): a study is a named group of participants over a period, and every analysis view can be
-- restricted to one (`code4me-lsp report --study NAME`, or the setting analysis.study in a notebook).
--
--  * study: a unique name, a description, an optional period [starts_at, ends_at). study_participant: who takes part,
--    each row either a user (user_id, deleted with the user) or an anonymous installation (installation_id, as
--    session.installation_id; deleted by `data delete --installation`), with an optional arm and the time of enrolment.
--    A participant may be in several studies, once in each.
--  * Who writes: the database owner (`code4me-lsp study create|enrol`, like the user and data commands); code4me_analyst
--    reads both tables; code4me_writer has nothing here.
--  * The filter: the setting analysis.study (a study's name) keeps, in every fact view (so in every aggregate), the
--    queries and chat replies of its participants (the query's user enrolled, or the installation of its session
--    enrolled) within its period. The period is intersected with analysis.since / analysis.until: analysis.filter shows
--    the intersection. An unknown name raises (analysis.study_id(), SQLSTATE 22023) wherever the filter is evaluated:
--    reading analysis.filter's since or until, or a view once it reads a row. A view with no row to read (an empty
--    database, or none left by the other filters) may return no rows without raising, so `report --study` and
--    `data export-dataset --study` look the name up first, and a notebook can SELECT analysis.study_id() to check it.
--    The study's members are read in one uncorrelated subquery per fact view (a hashed subplan), never per row.
--  * A/B arms: with a study in force whose participants have arms, analysis.ab_arms compares the study's arms (the arm of
--    the query's enrolled user, else of its enrolled installation; queries of participants without an arm left out), the
--    baseline being the first arm by name; otherwise its arms are the shown models, as in 0012. Its new column arm_source
--    says which.

CREATE TABLE study (
    study_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CONSTRAINT study_name_key UNIQUE CONSTRAINT study_name_not_blank CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    starts_at   timestamptz,
    ends_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT study_period_is_ordered CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);
COMMENT ON TABLE study IS 'A study: a named group of participants (study_participant) over an optional period. `code4me-lsp report --study NAME` and the setting analysis.study restrict the analysis views to it.';
COMMENT ON COLUMN study.study_id IS 'Identity of the study.';
COMMENT ON COLUMN study.name IS 'The study''s unique name, as `report --study` and analysis.study take it.';
COMMENT ON COLUMN study.description IS 'What the study is about (free text; empty when not given).';
COMMENT ON COLUMN study.starts_at IS 'Only queries at or after this instant count for the study; NULL: from the first.';
COMMENT ON COLUMN study.ends_at IS 'Only queries before this instant count for the study; NULL: to the last.';
COMMENT ON COLUMN study.created_at IS 'When the study was created.';

CREATE TABLE study_participant (
    study_id        bigint NOT NULL REFERENCES study (study_id) ON DELETE CASCADE,
    user_id         uuid REFERENCES "user" (user_id) ON DELETE CASCADE,
    installation_id uuid,
    arm             text,
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT study_participant_is_one_subject CHECK ((user_id IS NULL) <> (installation_id IS NULL)),
    CONSTRAINT study_participant_user_key UNIQUE (study_id, user_id),
    CONSTRAINT study_participant_installation_key UNIQUE (study_id, installation_id)
);
CREATE INDEX study_participant_user_idx ON study_participant (user_id);
CREATE INDEX study_participant_installation_idx ON study_participant (installation_id);
COMMENT ON TABLE study_participant IS 'Who takes part in a study: a signed-in user, or an anonymous installation (all the queries of its sessions, signed in or not). Each at most once per study.';
COMMENT ON COLUMN study_participant.study_id IS 'The study (study.study_id).';
COMMENT ON COLUMN study_participant.user_id IS 'The enrolled user (every query of theirs counts); NULL when an installation is enrolled. Deleted with the user.';
COMMENT ON COLUMN study_participant.installation_id IS 'The enrolled anonymous installation (session.installation_id: every query of its sessions counts); NULL when a user is enrolled.';
COMMENT ON COLUMN study_participant.arm IS 'The arm the participant was assigned to, if the study has arms (free text); NULL otherwise.';
COMMENT ON COLUMN study_participant.enrolled_at IS 'When the participant was enrolled.';

GRANT SELECT ON study, study_participant TO code4me_analyst;

-- The study in force: the id of the study the setting analysis.study names, NULL when unset or empty; an unknown name
-- raises (SQLSTATE 22023), so a view that reads a row under a mistyped study fails instead of counting nothing (over no
-- rows it may not be called at all: see the header).
CREATE FUNCTION analysis.study_id() RETURNS bigint
    LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = public, pg_temp
AS $$
DECLARE
    wanted text := nullif(current_setting('analysis.study', true), '');
    found  bigint;
BEGIN
    IF wanted IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT s.study_id INTO found FROM study s WHERE s.name = wanted;
    IF found IS NULL THEN
        RAISE EXCEPTION 'no study is named %', quote_literal(wanted) USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN found;
END
$$;
COMMENT ON FUNCTION analysis.study_id() IS 'The study filter in force: the id of the study named by the setting analysis.study, NULL when unset or empty; an unknown name raises (SQLSTATE 22023). The views call it when they read a row: over no rows they may return none without raising, so check a name with SELECT analysis.study_id().';
REVOKE ALL ON FUNCTION analysis.study_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analysis.study_id() TO code4me_analyst;

-- analysis.filter: since and until become the intersection with the study's period (the study itself is the setting;
-- a view cannot grow a column that a down migration could take away again without dropping every view). Scalar
-- subqueries, so a view that reads the filter computes them once (an InitPlan), not per row.
CREATE OR REPLACE VIEW analysis.filter AS
SELECT greatest(nullif(current_setting('analysis.since', true), '')::timestamptz,
                (SELECT st.starts_at FROM public.study st WHERE st.study_id = (SELECT analysis.study_id()))) AS since,
       least(nullif(current_setting('analysis.until', true), '')::timestamptz,
             (SELECT st.ends_at FROM public.study st WHERE st.study_id = (SELECT analysis.study_id())))   AS until,
       nullif(current_setting('analysis.model', true), '')               AS model,
       nullif(current_setting('analysis.language', true), '')            AS language;
COMMENT ON VIEW analysis.filter IS 'The filter in force for every analysis view: the settings analysis.since, analysis.until, analysis.model, analysis.language (NULL: no filter), since and until intersected with the period of the study the setting analysis.study names (analysis.study_id()). analysis.participant() is the participant filter.';
COMMENT ON COLUMN analysis.filter.since IS 'Only queries at or after this instant: the later of the setting analysis.since and the study''s starts_at.';
COMMENT ON COLUMN analysis.filter.until IS 'Only queries before this instant: the earlier of the setting analysis.until and the study''s ends_at.';

COMMENT ON SCHEMA analysis IS
    'Views over the Code4me V2 telemetry that define the study''s numbers once (report, tests, notebooks). Restrict every view with the settings analysis.since, analysis.until (timestamptz, [since, until)), analysis.model, analysis.language, analysis.participant (a user id or installation id) and analysis.study (a study name: its participants and period) (set_config; unset or empty: no filter). analysis.definitions holds each view''s query, for computing them over temporary tables in one pass.';

-- The two fact views that choose participants (completion_queries, chat_messages; every other view reads them) keep the
-- study's participants too, next to the participant filter of 0012.
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
        IF strpos(d.query, participant) = 0 THEN
            RAISE EXCEPTION 'analysis.definitions: % has no participant filter to extend', d.view_name;
        END IF;
        UPDATE analysis.definitions SET query = replace(d.query, participant, study) WHERE position = d.position;
        EXECUTE format('CREATE OR REPLACE VIEW analysis.%I AS %s', d.view_name,
                       (SELECT query FROM analysis.definitions WHERE position = d.position));
    END LOOP;
END
$$;

-- analysis.ab_arms compares the study's arms: with a study in force whose participants have arms (study_participant.arm),
-- an arm is the participant's study arm, not the model shown. Otherwise (no study, or a study without arms) it is the
-- model whose answer was shown, as in 0012. Its definition is 0012's with the arms chosen first and a new last column,
-- arm_source, saying which (the down migration replaces back).
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
BEGIN
    IF strpos(definition, arms_0012) = 0 OR strpos(definition, 'SELECT arm, participants,') = 0 OR strpos(definition, 'AS uplift') = 0 THEN
        RAISE EXCEPTION 'analysis.definitions: ab_arms is not 0012''s';
    END IF;
    definition := replace(replace(replace(definition, arms_0012, arms), 'SELECT arm, participants,', 'SELECT arm, arm_source, participants,'),
                          'AS uplift', E'AS uplift,\n       a.arm_source');
    UPDATE analysis.definitions SET query = definition WHERE view_name = 'ab_arms';
    EXECUTE format('CREATE OR REPLACE VIEW analysis.ab_arms AS %s', format(definition, 'analysis.completion_queries'));
END
$$;
COMMENT ON VIEW analysis.ab_arms IS 'An A/B test: per arm, the share of shown queries accepted, and the difference to the baseline arm (the first by name, ORDER BY arm). An arm is the participant''s study arm when the setting analysis.study names a study whose participants have arms (study_participant.arm; queries of its participants without an arm are left out), else the model whose answer was shown (under the AbTest selection policy each participant sees one model); arm_source says which. Intervals treat queries as independent; a participant''s queries are not, so read them as a lower bound of the uncertainty.';
COMMENT ON COLUMN analysis.ab_arms.arm IS 'The arm: the study arm of the query''s enrolled user, else of its enrolled installation (arm_source study_arm), or the model whose answer was shown (completion_queries.shown_model; arm_source shown_model).';
COMMENT ON COLUMN analysis.ab_arms.baseline IS 'The arm compared against: the first arm by name (ORDER BY arm, the database''s collation).';
COMMENT ON COLUMN analysis.ab_arms.arm_source IS 'What an arm is: study_arm (the study in force has arms) or shown_model (no study, or a study without arms).';
