-- Reverts 0004. Fails (and changes nothing) while a meta_query has a null context, contextual or
-- behavioral id, because 0003 and earlier cannot represent "excluded by consent": delete those
-- queries first.
DROP FUNCTION record_generation_feedback(uuid[], uuid[], bigint[], text[], timestamptz[], integer[]);
ALTER TABLE meta_query
    ALTER COLUMN behavioral_telemetry_id SET NOT NULL,
    ALTER COLUMN contextual_telemetry_id SET NOT NULL,
    ALTER COLUMN context_id SET NOT NULL,
    DROP COLUMN server_version;
ALTER TABLE ground_truth
    DROP COLUMN context_after,
    DROP COLUMN context_before,
    DROP COLUMN after_seconds;
DROP TABLE completion_retention;
DROP TABLE generation_feedback;
