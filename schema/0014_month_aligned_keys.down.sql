-- Reverts 0014: the foreign keys between the query-keyed tables declared once on the tables again (as 0011 made them),
-- and telemetry_partitions_ensure as 0011 made it; months a purge left detached are dropped.

SELECT telemetry_purged_drop();
DROP FUNCTION telemetry_purged_drop();
DROP FUNCTION telemetry_partitions_detach(text);
DROP SCHEMA telemetry_purged;

DROP FUNCTION telemetry_partitions_ensure(timestamptz, timestamptz);
ALTER FUNCTION telemetry_partitions_create(timestamptz, timestamptz) RENAME TO telemetry_partitions_ensure;
COMMENT ON FUNCTION telemetry_partitions_ensure(timestamptz, timestamptz) IS
    'Creates the missing monthly partitions of the per-event tables through the month of p_through (code4me-lsp data purge and data partitions call it).';

DO $$
DECLARE
    v_key  record;
    v_leaf record;
BEGIN
    FOR v_key IN SELECT * FROM telemetry_month_keys() LOOP
        FOR v_leaf IN SELECT i.inhrelid::regclass AS leaf FROM pg_inherits i WHERE i.inhparent = v_key.child::regclass LOOP
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_leaf.leaf, v_key.name);
        END LOOP;
    END LOOP;
END
$$;

DROP FUNCTION telemetry_month_keys_ensure();
DROP FUNCTION telemetry_month_keys();

ALTER TABLE completion_query ADD CONSTRAINT completion_query_meta_query_fkey FOREIGN KEY (meta_query_id, query_type)
    REFERENCES meta_query (meta_query_id, query_type) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE chat_query ADD CONSTRAINT chat_query_meta_query_fkey FOREIGN KEY (meta_query_id, query_type)
    REFERENCES meta_query (meta_query_id, query_type) ON DELETE CASCADE;
ALTER TABLE had_generation ADD CONSTRAINT had_generation_meta_query_id_fkey FOREIGN KEY (meta_query_id)
    REFERENCES meta_query (meta_query_id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE ground_truth ADD CONSTRAINT ground_truth_completion_query_id_fkey FOREIGN KEY (completion_query_id)
    REFERENCES completion_query (meta_query_id) ON DELETE CASCADE;
ALTER TABLE generation_feedback ADD CONSTRAINT generation_feedback_generation_fkey FOREIGN KEY (meta_query_id, model_id)
    REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE;
ALTER TABLE completion_retention ADD CONSTRAINT completion_retention_generation_fkey FOREIGN KEY (meta_query_id, model_id)
    REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE;
ALTER TABLE chat_context_optimization ADD CONSTRAINT chat_context_optimization_meta_query_id_fkey FOREIGN KEY (meta_query_id)
    REFERENCES chat_query (meta_query_id) ON DELETE CASCADE;
