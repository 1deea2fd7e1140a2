-- 0004 What the editor reports after a completion query, and what the telemetry writer (issue 4)
-- needs to record it while holding INSERT only (0003).
--
--  * generation_feedback: one row per accept, partial accept or reject of a generation, keyed by the
--    client's event id, so a replayed event inserts nothing. had_generation.was_accepted stays the
--    Code4me V2 summary: true after a full or a partial acceptance.
--  * completion_retention: accepted-and-retained characters per generation and delay after the first
--    acceptance (how much of an accepted suggestion is still in the file).
--  * ground_truth gains the delay after the query and up to N characters of context either side of
--    the truth (Code4me V2 kept context with the truth; the truth itself stays alone in its column).
--  * meta_query.server_version: the server's version string (server_version_id stays, unused).
--  * meta_query.context_id, contextual_telemetry_id and behavioral_telemetry_id become nullable:
--    null means the user's consent excluded that module, rather than a placeholder row.
--  * record_generation_feedback(...): SECURITY DEFINER, for a whole batch in one call: adds display
--    times to had_generation.shown_at as a set (sorted, no duplicates, so a replay adds nothing),
--    sets was_accepted, and records the feedback rows. Events for a generation that is not in the
--    database are ignored (their query never arrived), never an error.

CREATE TABLE generation_feedback (
    event_id        uuid PRIMARY KEY,
    meta_query_id   uuid NOT NULL,
    model_id        bigint NOT NULL,
    kind            text NOT NULL
        CONSTRAINT generation_feedback_kind_check CHECK (kind IN ('accepted', 'partially_accepted', 'rejected')),
    occurred_at     timestamptz NOT NULL,
    -- UTF-16 code units accepted so far; set exactly for partial acceptances.
    accepted_length integer
        CONSTRAINT generation_feedback_accepted_length_check
        CHECK ((kind = 'partially_accepted') = (accepted_length IS NOT NULL) AND accepted_length >= 0),
    CONSTRAINT generation_feedback_generation_fkey FOREIGN KEY (meta_query_id, model_id)
        REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE
);
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
    PRIMARY KEY (meta_query_id, model_id, after_seconds),
    CONSTRAINT completion_retention_generation_fkey FOREIGN KEY (meta_query_id, model_id)
        REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE
);

ALTER TABLE ground_truth
    ADD COLUMN after_seconds  integer CONSTRAINT ground_truth_after_seconds_check CHECK (after_seconds >= 0),
    ADD COLUMN context_before text,
    ADD COLUMN context_after  text;

ALTER TABLE meta_query
    ADD COLUMN server_version text,
    ALTER COLUMN context_id DROP NOT NULL,
    ALTER COLUMN contextual_telemetry_id DROP NOT NULL,
    ALTER COLUMN behavioral_telemetry_id DROP NOT NULL;

CREATE FUNCTION record_generation_feedback(
    p_event_id uuid[], p_meta_query_id uuid[], p_model_id bigint[], p_kind text[],
    p_occurred_at timestamptz[], p_accepted_length integer[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    WITH event AS (
        SELECT * FROM unnest(p_event_id, p_meta_query_id, p_model_id, p_kind, p_occurred_at, p_accepted_length)
            AS e(event_id, meta_query_id, model_id, kind, occurred_at, accepted_length)
    ), per_generation AS (
        SELECT meta_query_id, model_id,
               coalesce(array_agg(occurred_at) FILTER (WHERE kind = 'shown'), '{}') AS shown,
               bool_or(kind IN ('accepted', 'partially_accepted')) AS accepted
        FROM event GROUP BY meta_query_id, model_id
    ), updated AS (
        UPDATE had_generation h
        SET shown_at = ARRAY(SELECT DISTINCT t FROM unnest(h.shown_at || g.shown) AS t ORDER BY t),
            was_accepted = h.was_accepted OR g.accepted
        FROM per_generation g
        WHERE h.meta_query_id = g.meta_query_id AND h.model_id = g.model_id
          AND (NOT g.shown <@ h.shown_at OR (g.accepted AND NOT h.was_accepted))
        RETURNING 1
    )
    INSERT INTO generation_feedback (event_id, meta_query_id, model_id, kind, occurred_at, accepted_length)
    SELECT e.event_id, e.meta_query_id, e.model_id, e.kind, e.occurred_at, e.accepted_length
    FROM event e
    WHERE e.kind <> 'shown'
      AND EXISTS (SELECT FROM had_generation h WHERE h.meta_query_id = e.meta_query_id AND h.model_id = e.model_id)
    ON CONFLICT DO NOTHING;
$$;
REVOKE ALL ON FUNCTION record_generation_feedback(uuid[], uuid[], bigint[], text[], timestamptz[], integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_generation_feedback(uuid[], uuid[], bigint[], text[], timestamptz[], integer[]) TO code4me_writer;

GRANT INSERT ON completion_retention TO code4me_writer;
GRANT SELECT ON generation_feedback, completion_retention TO code4me_analyst;
