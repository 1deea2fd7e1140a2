-- 0017 What the writer pays per event, cut where it buys nothing (issue #19: the writer within 5 % of schema 10).
--
-- A profile of the server's CPU under the writer (perf, `B telemetry --profile --against-schema N`) showed two costs that
-- time partitions did not bring and two that 0015 did:
--
--  * Compression. About a tenth of the server's CPU went to pglz, PostgreSQL's default TOAST compression, compressing
--    the contexts' prefixes and suffixes, the ground truths' surroundings and the answers as the writer copies them in.
--    LZ4 compresses such text several times faster, to about the same size, and decompresses faster for the analyses.
--    The columns written at volume compress with LZ4 from now on; rows already stored keep their pglz data (PostgreSQL
--    reads both). The setting is per relation and ALTER on a partitioned table does not reach its existing partitions
--    (PostgreSQL 15), so every partition is altered too; partitions made later take it from their table. A server built
--    without LZ4 (rare: Debian, Ubuntu, the PGDG packages and the official images have it) keeps pglz, with a notice.
--  * The change log's arrays (analysis.fact_changes.ids, one array of up to a batch's query ids per statement) were
--    compressed with pglz too, in the trigger, inside the writer's transaction: they use LZ4 as well.
--  * meta_query's insert trigger of 0015 is dropped: it logged the ids of new queries, each of which a fact row can only
--    reach through its completion_query row (every fact view joins completion_query), whose own insert trigger logs the
--    same id in the same or a later transaction (completion_query's key to meta_query is checked at commit at the latest,
--    so its row never commits before its query's). The copy of every new meta_query row into a transition table and
--    one trigger call per batch go with it. meta_query's update and delete triggers stay: they carry a deleted user's
--    and a deleted query's rights to the kept rows.

DROP TRIGGER meta_query_facts_insert ON meta_query;

-- The columns written at volume, named once (the down migration reads the list too).
CREATE FUNCTION telemetry_compressed_columns() RETURNS TABLE (relation regclass, name text)
    LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
AS $$
    VALUES ('public.context'::regclass, 'prefix'), ('public.context', 'suffix'), ('public.context', 'selected_text'),
           ('public.ground_truth', 'ground_truth'), ('public.ground_truth', 'context_before'), ('public.ground_truth', 'context_after'),
           ('public.had_generation', 'completion'), ('public.had_generation', 'logprobs'),
           ('public.project', 'multi_file_contexts'), ('public.project', 'multi_file_context_changes'),
           ('analysis.fact_changes', 'ids'),
           ('analysis.kept_completion_generations', 'completion'), ('analysis.kept_completion_generations', 'ground_truth');
$$;
COMMENT ON FUNCTION telemetry_compressed_columns() IS
    'The columns written at volume, which compress with LZ4 where the server has it; their tables'' partitions made later inherit it (0017).';

DO $$
DECLARE
    v_rel  regclass;
    v_name text;
BEGIN
    FOR v_rel, v_name IN SELECT t.relid, c.name FROM telemetry_compressed_columns() c CROSS JOIN LATERAL pg_partition_tree(c.relation) t LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET COMPRESSION lz4', v_rel, v_name);
    END LOOP;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'This PostgreSQL was built without LZ4: the telemetry columns keep pglz compression (%).', SQLERRM;
END
$$;
