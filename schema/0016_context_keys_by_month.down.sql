-- Reverts 0016: meta_query's keys to context, contextual_telemetry and behavioral_telemetry declared once on the tables
-- again (as 0011 made them, each checked against the rows stored), with their indexes; telemetry_month_keys,
-- telemetry_month_keys_ensure and telemetry_partitions_droppable as 0014 and 0011 left them.

-- The per-partition same-month keys, then the columns (their other-month keys and indexes go with them).
DO $$
DECLARE
    v_key  record;
    v_leaf record;
BEGIN
    FOR v_key IN SELECT * FROM telemetry_month_keys() WHERE child = 'meta_query' LOOP
        FOR v_leaf IN SELECT i.inhrelid::regclass AS leaf FROM pg_inherits i WHERE i.inhparent = v_key.child::regclass LOOP
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_leaf.leaf, v_key.name);
        END LOOP;
    END LOOP;
END
$$;

ALTER TABLE meta_query
    DROP COLUMN context_id_same_month,
    DROP COLUMN context_id_other_month,
    DROP COLUMN contextual_telemetry_id_same_month,
    DROP COLUMN contextual_telemetry_id_other_month,
    DROP COLUMN behavioral_telemetry_id_same_month,
    DROP COLUMN behavioral_telemetry_id_other_month;
DROP FUNCTION telemetry_same_month(uuid, uuid);
DROP FUNCTION telemetry_id_month(uuid);

CREATE INDEX meta_query_contextual_telemetry_id_idx ON meta_query (contextual_telemetry_id);
CREATE INDEX meta_query_behavioral_telemetry_id_idx ON meta_query (behavioral_telemetry_id);
CREATE INDEX meta_query_context_id_idx ON meta_query (context_id);
ALTER TABLE meta_query ADD CONSTRAINT meta_query_contextual_telemetry_id_fkey FOREIGN KEY (contextual_telemetry_id)
    REFERENCES contextual_telemetry (contextual_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ADD CONSTRAINT meta_query_behavioral_telemetry_id_fkey FOREIGN KEY (behavioral_telemetry_id)
    REFERENCES behavioral_telemetry (behavioral_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ADD CONSTRAINT meta_query_context_id_fkey FOREIGN KEY (context_id)
    REFERENCES context (context_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;

DROP FUNCTION telemetry_month_keys();
CREATE FUNCTION telemetry_month_keys()
    RETURNS TABLE (child text, parent text, name text, columns text, referenced text, is_deferrable boolean)
    LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
AS $$
    VALUES ('completion_query', 'meta_query', 'completion_query_meta_query_fkey', 'meta_query_id, query_type', 'meta_query_id, query_type', true),
           ('chat_query', 'meta_query', 'chat_query_meta_query_fkey', 'meta_query_id, query_type', 'meta_query_id, query_type', false),
           ('had_generation', 'meta_query', 'had_generation_meta_query_id_fkey', 'meta_query_id', 'meta_query_id', true),
           ('ground_truth', 'completion_query', 'ground_truth_completion_query_id_fkey', 'completion_query_id', 'meta_query_id', false),
           ('generation_feedback', 'had_generation', 'generation_feedback_generation_fkey', 'meta_query_id, model_id', 'meta_query_id, model_id', false),
           ('completion_retention', 'had_generation', 'completion_retention_generation_fkey', 'meta_query_id, model_id', 'meta_query_id, model_id', false),
           ('chat_context_optimization', 'chat_query', 'chat_context_optimization_meta_query_id_fkey', 'meta_query_id', 'meta_query_id', false);
$$;
COMMENT ON FUNCTION telemetry_month_keys() IS
    'The foreign keys (ON DELETE CASCADE) declared per monthly partition, from a child''s month to its parent''s month (0014).';

CREATE OR REPLACE FUNCTION telemetry_month_keys_ensure() RETURNS integer
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_key    record;
    v_leaf   record;
    v_target text;
    v_added  integer := 0;
BEGIN
    FOR v_key IN SELECT * FROM telemetry_month_keys() LOOP
        FOR v_leaf IN
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = v_key.child::regclass
              AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = c.oid AND k.conname = v_key.name)
            ORDER BY c.relname
        LOOP
            v_target := (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
                         WHERE i.inhparent = v_key.parent::regclass AND v_leaf.bound <> 'DEFAULT'
                           AND pg_get_expr(p.relpartbound, p.oid) = v_leaf.bound);
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%s) REFERENCES %I (%s) ON DELETE CASCADE %s',
                           v_leaf.relname, v_key.name, v_key.columns, coalesce(v_target, v_key.parent), v_key.referenced,
                           CASE WHEN v_key.is_deferrable THEN 'DEFERRABLE INITIALLY IMMEDIATE' ELSE 'NOT DEFERRABLE' END);
            v_added := v_added + 1;
        END LOOP;
    END LOOP;
    RETURN v_added;
END
$$;

CREATE OR REPLACE FUNCTION telemetry_partitions_droppable(p_cutoff timestamptz)
    RETURNS TABLE (suffix text, lower_bound uuid, upper_bound uuid)
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
DECLARE
    v_month record;
BEGIN
    FOR v_month IN
        SELECT substring(c.relname FROM '_(y\d{4}m\d{2})$') AS suffix,
               to_date(substring(c.relname FROM '_y(\d{4}m\d{2})$'), 'YYYY"m"MM')::timestamp AT TIME ZONE 'UTC' AS month
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'meta_query'::regclass AND c.relname ~ '_y\d{4}m\d{2}$'
        ORDER BY 2
    LOOP
        lower_bound := telemetry_partition_bound(v_month.month);
        upper_bound := telemetry_partition_bound(v_month.month + interval '1 month');
        EXIT WHEN v_month.month + interval '1 month' > p_cutoff
            OR EXISTS (SELECT FROM meta_query m WHERE m.meta_query_id >= lower_bound AND m.meta_query_id < upper_bound AND m."timestamp" >= p_cutoff)
            OR EXISTS (SELECT FROM meta_query m WHERE m.context_id >= lower_bound AND m.context_id < upper_bound
                                                  AND (m.meta_query_id < lower_bound OR m.meta_query_id >= upper_bound))
            OR EXISTS (SELECT FROM meta_query m WHERE m.contextual_telemetry_id >= lower_bound AND m.contextual_telemetry_id < upper_bound
                                                  AND (m.meta_query_id < lower_bound OR m.meta_query_id >= upper_bound))
            OR EXISTS (SELECT FROM meta_query m WHERE m.behavioral_telemetry_id >= lower_bound AND m.behavioral_telemetry_id < upper_bound
                                                  AND (m.meta_query_id < lower_bound OR m.meta_query_id >= upper_bound))
            OR EXISTS (SELECT 1 FROM unnest(telemetry_partitioned_tables()) t
                       WHERE to_regclass(t || '_' || v_month.suffix) IS NULL);
        suffix := v_month.suffix;
        RETURN NEXT;
    END LOOP;
END
$$;
