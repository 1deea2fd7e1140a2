-- Reverts 0017: the default compression on every column 0017 gave LZ4 (rows stored meanwhile keep their LZ4 data,
-- which PostgreSQL reads), and meta_query's insert trigger of 0015.

DO $$
DECLARE
    v_rel  regclass;
    v_name text;
BEGIN
    FOR v_rel, v_name IN SELECT t.relid, c.name FROM telemetry_compressed_columns() c CROSS JOIN LATERAL pg_partition_tree(c.relation) t LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET COMPRESSION default', v_rel, v_name);
    END LOOP;
END
$$;

DROP FUNCTION telemetry_compressed_columns();

CREATE TRIGGER meta_query_facts_insert AFTER INSERT ON meta_query REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION analysis.fact_rows_changed('meta_query_id');
