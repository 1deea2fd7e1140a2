-- 0014 Month-aligned foreign keys between the tables partitioned on a query's id (issue #19: purge >= 100x DELETE,
-- the writer within 5 % of schema 10).
--
-- meta_query and the seven tables below it (completion_query, chat_query, had_generation, ground_truth,
-- generation_feedback, completion_retention, chat_context_optimization) are all partitioned by month on the query's id,
-- and each of their foreign keys between them is on that id: a child row of month M references a parent row of month
-- M, which is always in the parent's partition of month M. So each such key is declared per partition, from the child's
-- month to the parent's month with the same bounds, instead of once from the child table to the parent table:
--
--  * the same checks: a child row is inserted only when its parent row exists, and deleting the parent still cascades
--    (same names, actions and DEFERRABLE flags as 0011). A partition without its month in the parent (a month that
--    stayed in the parent's default partition) and every default partition reference the parent table as before.
--  * the writer's checks read one plain table (SELECT ... FROM ONLY meta_query_yYYYYmMM), not the partitioned table,
--    whose generic plan PostgreSQL 15 executes by locking every partition and setting up run-time pruning per check.
--  * a month is dropped children first, and DETACH of a parent's month no longer proves, by reading the whole month's
--    index, that no row of the child table references it (it does so only for keys declared on the parent table).
--
-- The keys of each partition are made by telemetry_month_keys_ensure(), which telemetry_partitions_ensure() (the only
-- maker of partitions: migrate, `data purge`, `data partitions`) now calls in the same transaction as it creates the
-- months, so no partition is ever visible without its key. Existing rows are checked as each key is added.
--
-- context, contextual_telemetry and behavioral_telemetry keep their keys from meta_query on the tables: a query's
-- context may be made in the next month (when the query completes), so those keys do not align by month.
--
-- `data purge` detaches the months it drops into schema telemetry_purged, and drops them there in a transaction of its
-- own right after (telemetry_purged_drop): the purge's transaction, which locks the partitioned tables against every
-- editor's batch, then does not also wait for the file system to free the months' files (on this project's machine,
-- ext4 with online discard, ~0.2 s per GB). The schema is the owner's: nobody else can read a detached month, and
-- `data purge` and `data partitions` drop whatever a purge stopped half-way left there.

-- The foreign keys between tables partitioned on the same query id, children after their parents.
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

-- Adds the missing per-partition keys: every partition of a child table gets its key, to the parent's partition with
-- the same bounds, or to the parent table when the parent has no such month or the partition is the default one.
-- Returns how many it added.
CREATE FUNCTION telemetry_month_keys_ensure() RETURNS integer
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
COMMENT ON FUNCTION telemetry_month_keys_ensure() IS
    'Declares the foreign keys of telemetry_month_keys() on every partition that lacks them (telemetry_partitions_ensure calls it).';

-- 0011's maker of months, under a name of its own; telemetry_partitions_ensure now also declares the keys of the months
-- it made, in the same transaction.
ALTER FUNCTION telemetry_partitions_ensure(timestamptz, timestamptz) RENAME TO telemetry_partitions_create;
COMMENT ON FUNCTION telemetry_partitions_create(timestamptz, timestamptz) IS
    'Creates the missing monthly partitions of the per-event tables, without their month keys (telemetry_partitions_ensure calls it).';

CREATE FUNCTION telemetry_partitions_ensure(p_through timestamptz, p_from timestamptz DEFAULT now()) RETURNS integer
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_created integer := telemetry_partitions_create(p_through, p_from);
BEGIN
    PERFORM telemetry_month_keys_ensure();
    RETURN v_created;
END
$$;
COMMENT ON FUNCTION telemetry_partitions_ensure(timestamptz, timestamptz) IS
    'Creates the missing monthly partitions of the per-event tables through the month of p_through, with their month keys (code4me-lsp data purge and data partitions call it).';

CREATE SCHEMA telemetry_purged;
COMMENT ON SCHEMA telemetry_purged IS 'Months data purge detached, until it drops them right after its transaction (telemetry_purged_drop).';

-- Drops every table in telemetry_purged (months a purge detached; their own keys to one another go with them); returns
-- how many.
CREATE FUNCTION telemetry_purged_drop() RETURNS integer
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_tables text;
    v_count  integer;
BEGIN
    SELECT string_agg(format('telemetry_purged.%I', c.relname), ', '), count(*) INTO v_tables, v_count
    FROM pg_class c WHERE c.relnamespace = 'telemetry_purged'::regnamespace AND c.relkind = 'r';
    IF v_count > 0 THEN
        EXECUTE 'DROP TABLE ' || v_tables;
    END IF;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION telemetry_purged_drop() IS 'Drops the months data purge detached into schema telemetry_purged.';

-- Detaches the month p_suffix (e.g. y2026m09) of every per-event table, children first, into schema telemetry_purged,
-- each with its foreign keys dropped: a detached partition keeps its table's keys as its own, and those would keep the
-- rows it references (the month's context, the sessions a purge deletes row by row) from going. DETACH still checks,
-- for every key declared on a table (meta_query's to the context tables), that no row references the month.
CREATE FUNCTION telemetry_partitions_detach(p_suffix text) RETURNS void
    LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    v_month text;
    v_key   text;
BEGIN
    FOR v_month IN SELECT t || '_' || p_suffix FROM unnest(telemetry_partitioned_tables()) WITH ORDINALITY AS u(t, n) ORDER BY n DESC LOOP
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', substring(v_month FROM '^(.*)_' || p_suffix || '$'), v_month);
        FOR v_key IN SELECT k.conname FROM pg_constraint k WHERE k.conrelid = v_month::regclass AND k.contype = 'f' AND k.conparentid = 0 LOOP
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', v_month, v_key);
        END LOOP;
        EXECUTE format('ALTER TABLE %I SET SCHEMA telemetry_purged', v_month);
    END LOOP;
END
$$;
COMMENT ON FUNCTION telemetry_partitions_detach(text) IS
    'Detaches a month of every per-event table (children first) into schema telemetry_purged, without its foreign keys (data purge).';

REVOKE ALL ON FUNCTION telemetry_month_keys_ensure(), telemetry_partitions_ensure(timestamptz, timestamptz), telemetry_purged_drop(),
    telemetry_partitions_detach(text) FROM PUBLIC;

-- The keys on the tables go (with the copies PostgreSQL made of them on every partition), and come back per partition;
-- adding each checks the rows already stored.
ALTER TABLE completion_query DROP CONSTRAINT completion_query_meta_query_fkey;
ALTER TABLE chat_query DROP CONSTRAINT chat_query_meta_query_fkey;
ALTER TABLE had_generation DROP CONSTRAINT had_generation_meta_query_id_fkey;
ALTER TABLE ground_truth DROP CONSTRAINT ground_truth_completion_query_id_fkey;
ALTER TABLE generation_feedback DROP CONSTRAINT generation_feedback_generation_fkey;
ALTER TABLE completion_retention DROP CONSTRAINT completion_retention_generation_fkey;
ALTER TABLE chat_context_optimization DROP CONSTRAINT chat_context_optimization_meta_query_id_fkey;
SELECT telemetry_month_keys_ensure();
