-- 0016 meta_query's foreign keys to context, contextual_telemetry and behavioral_telemetry, split by month (issue #19:
-- the writer within 5 % of schema 10, and a month's DETACH without reading the month).
--
-- Those three keys were declared on the tables (0011): each check of a query's context ran against the partitioned
-- table, whose generic plan PostgreSQL 15 executes by locking every partition and setting up run-time pruning, ~4 us of
-- the writer's server CPU per key and event; and DETACH of a month of the context tables proved, by reading the month's
-- index, that no query referenced it. They could not be declared per month as 0014 did for the tables below meta_query:
-- a query's context gets its UUIDv7 id when the query completes, a moment after the query's own id, so at a month's end it
-- falls in the next month (contextual and behavioural telemetry share the query's millisecond, but nothing in the schema
-- says so). So each key is split in two by whether the referenced id is of the query's month, with two stored generated
-- columns on meta_query that PostgreSQL computes from the ids the writer stores (the writer does not change):
--
--  * <id>_same_month = the id when it is of meta_query_id's month, else NULL. Its key is declared per partition, by
--    0014's telemetry_month_keys_ensure (now told the ON DELETE action and the columns), from meta_query's month to the
--    referenced table's month with the same bounds, which holds every id of that month: the writer's check reads one plain
--    table. A default partition, or a month the referenced table lacks, references the table, as in 0014.
--  * <id>_other_month = the id when it is of another month, else NULL. Its key is declared on the tables as before. NULL
--    in nearly every row (a query at a month's last moment, ids outside every month made by hand), and PostgreSQL checks
--    no key whose column is NULL.
--
-- So every stored id is checked, by exactly one of the two keys, with the same action as before (ON DELETE RESTRICT,
-- DEFERRABLE INITIALLY IMMEDIATE): a query naming a missing context is refused, a context a query uses cannot be deleted,
-- and a month of a context table cannot be detached while a query of another month uses it. As with 0014's keys, a month
-- of a context table that only its own month's queries use can be detached by hand (the key then references the detached
-- table, which cannot be dropped while it does); `data purge` detaches a month's queries first. The month of an id is the
-- calendar month (UTC) of its first 48 bits read as Unix milliseconds (telemetry_id_month), which is exactly the range
-- telemetry_partition_bound gives the month's partition; a random (v4) id has a month too (between 1970 and 10889), and
-- lands in the default partition like any id outside the months created.
--
-- The index on each old column is replaced by one on its same-month column (what the key's ON DELETE check and a lookup
-- of the queries using a context read) and a partial one on its other-month column holding only its non-NULL rows: the
-- writer maintains as many full indexes as before. DETACH of a month of a context table now checks only the other-month
-- key and the keys of default partitions, whose referencing rows are few: a nested loop over them, probing the month's
-- primary key (`data purge` plans it so), instead of a read of the month's index.
--
-- What the writer pays (B telemetry): a check against a plain month costs about two thirds of one against the table with
-- four partitions, and stays so as months accrue, where the check against the table grows with every partition it locks;
-- the generated columns and the other-month keys (a trigger each that finds NULL) cost about 2 us of server CPU an event.
--
-- context_id, contextual_telemetry_id and behavioral_telemetry_id stay as they were, so the writer, the analysis views and
-- every reader of meta_query are unchanged; only a lookup of the queries that use a given id reads the two new columns.

-- The calendar month (UTC, as a timestamp) of a UUIDv7: its first 48 bits are its Unix time in milliseconds. Integer and
-- date arithmetic only (no time zone), so IMMUTABLE, and cheap: it is computed twice per key for every query stored. A
-- plain SQL function without SET search_path so that PostgreSQL inlines it into the generated columns (a SET clause or a
-- non-inlined call costs microseconds per row); every name in it is qualified with pg_catalog instead.
CREATE FUNCTION telemetry_id_month(p_id uuid) RETURNS timestamp
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.date_trunc('month', pg_catalog."timestamp"(DATE '1970-01-01' OPERATOR(pg_catalog.+) pg_catalog.int4(
        pg_catalog.int8(pg_catalog.textcat('x', pg_catalog.encode(pg_catalog.substring(pg_catalog.uuid_send(p_id), 1, 6), 'hex'))::pg_catalog.bit(48))
        OPERATOR(pg_catalog./) 86400000)))
$$;
COMMENT ON FUNCTION telemetry_id_month(uuid) IS
    'The calendar month (UTC) of a UUIDv7''s millisecond timestamp: the month of the time partition that holds the id (0016).';

-- Whether two ids are of the same month; NULL when either is. The same millisecond (a query and its telemetry) is
-- answered without computing a month.
CREATE FUNCTION telemetry_same_month(p_a uuid, p_b uuid) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT pg_catalog.substring(pg_catalog.uuid_send(p_a), 1, 6) OPERATOR(pg_catalog.=) pg_catalog.substring(pg_catalog.uuid_send(p_b), 1, 6)
        OR telemetry_id_month(p_a) OPERATOR(pg_catalog.=) telemetry_id_month(p_b)
$$;
COMMENT ON FUNCTION telemetry_same_month(uuid, uuid) IS 'Whether two UUIDv7s are of the same calendar month (UTC), so in partitions with the same bounds (0016).';

-- The keys on the tables and their indexes go first, so that the rewrite below does not rebuild those indexes.
ALTER TABLE meta_query DROP CONSTRAINT meta_query_context_id_fkey;
ALTER TABLE meta_query DROP CONSTRAINT meta_query_contextual_telemetry_id_fkey;
ALTER TABLE meta_query DROP CONSTRAINT meta_query_behavioral_telemetry_id_fkey;
DROP INDEX meta_query_context_id_idx;
DROP INDEX meta_query_contextual_telemetry_id_idx;
DROP INDEX meta_query_behavioral_telemetry_id_idx;

-- One ALTER, so one rewrite of meta_query's partitions computes all six columns of the rows already stored.
ALTER TABLE meta_query
    ADD COLUMN context_id_same_month uuid
        GENERATED ALWAYS AS (CASE WHEN telemetry_same_month(context_id, meta_query_id) THEN context_id END) STORED,
    ADD COLUMN context_id_other_month uuid
        GENERATED ALWAYS AS (CASE WHEN NOT telemetry_same_month(context_id, meta_query_id) THEN context_id END) STORED,
    ADD COLUMN contextual_telemetry_id_same_month uuid
        GENERATED ALWAYS AS (CASE WHEN telemetry_same_month(contextual_telemetry_id, meta_query_id) THEN contextual_telemetry_id END) STORED,
    ADD COLUMN contextual_telemetry_id_other_month uuid
        GENERATED ALWAYS AS (CASE WHEN NOT telemetry_same_month(contextual_telemetry_id, meta_query_id) THEN contextual_telemetry_id END) STORED,
    ADD COLUMN behavioral_telemetry_id_same_month uuid
        GENERATED ALWAYS AS (CASE WHEN telemetry_same_month(behavioral_telemetry_id, meta_query_id) THEN behavioral_telemetry_id END) STORED,
    ADD COLUMN behavioral_telemetry_id_other_month uuid
        GENERATED ALWAYS AS (CASE WHEN NOT telemetry_same_month(behavioral_telemetry_id, meta_query_id) THEN behavioral_telemetry_id END) STORED;
COMMENT ON COLUMN meta_query.context_id_same_month IS 'context_id when it is of the query''s month, else NULL: its key is declared per month (0016).';
COMMENT ON COLUMN meta_query.context_id_other_month IS 'context_id when it is of another month than the query, else NULL: its key is declared on the tables (0016).';
COMMENT ON COLUMN meta_query.contextual_telemetry_id_same_month IS 'contextual_telemetry_id when it is of the query''s month, else NULL: its key is declared per month (0016).';
COMMENT ON COLUMN meta_query.contextual_telemetry_id_other_month IS 'contextual_telemetry_id when it is of another month than the query, else NULL: its key is declared on the tables (0016).';
COMMENT ON COLUMN meta_query.behavioral_telemetry_id_same_month IS 'behavioral_telemetry_id when it is of the query''s month, else NULL: its key is declared per month (0016).';
COMMENT ON COLUMN meta_query.behavioral_telemetry_id_other_month IS 'behavioral_telemetry_id when it is of another month than the query, else NULL: its key is declared on the tables (0016).';

CREATE INDEX meta_query_context_id_same_month_idx ON meta_query (context_id_same_month);
CREATE INDEX meta_query_contextual_telemetry_id_same_month_idx ON meta_query (contextual_telemetry_id_same_month);
CREATE INDEX meta_query_behavioral_telemetry_id_same_month_idx ON meta_query (behavioral_telemetry_id_same_month);
CREATE INDEX meta_query_context_id_other_month_idx ON meta_query (context_id_other_month) WHERE context_id_other_month IS NOT NULL;
CREATE INDEX meta_query_contextual_telemetry_id_other_month_idx ON meta_query (contextual_telemetry_id_other_month)
    WHERE contextual_telemetry_id_other_month IS NOT NULL;
CREATE INDEX meta_query_behavioral_telemetry_id_other_month_idx ON meta_query (behavioral_telemetry_id_other_month)
    WHERE behavioral_telemetry_id_other_month IS NOT NULL;

-- The other-month keys, on the tables, with the old keys' action and flags.
ALTER TABLE meta_query ADD CONSTRAINT meta_query_context_id_other_month_fkey FOREIGN KEY (context_id_other_month)
    REFERENCES context (context_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ADD CONSTRAINT meta_query_contextual_telemetry_id_other_month_fkey FOREIGN KEY (contextual_telemetry_id_other_month)
    REFERENCES contextual_telemetry (contextual_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ADD CONSTRAINT meta_query_behavioral_telemetry_id_other_month_fkey FOREIGN KEY (behavioral_telemetry_id_other_month)
    REFERENCES behavioral_telemetry (behavioral_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE;

-- 0014's list of month keys gains meta_query's three same-month keys (under the old keys' names: in the common case they
-- are the key that refuses), with each key's ON DELETE action; referenced tables before the tables that reference them.
DROP FUNCTION telemetry_month_keys();
CREATE FUNCTION telemetry_month_keys()
    RETURNS TABLE (child text, parent text, name text, columns text, referenced text, is_deferrable boolean, on_delete text)
    LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
AS $$
    VALUES ('meta_query', 'context', 'meta_query_context_id_fkey', 'context_id_same_month', 'context_id', true, 'RESTRICT'),
           ('meta_query', 'contextual_telemetry', 'meta_query_contextual_telemetry_id_fkey', 'contextual_telemetry_id_same_month', 'contextual_telemetry_id', true, 'RESTRICT'),
           ('meta_query', 'behavioral_telemetry', 'meta_query_behavioral_telemetry_id_fkey', 'behavioral_telemetry_id_same_month', 'behavioral_telemetry_id', true, 'RESTRICT'),
           ('completion_query', 'meta_query', 'completion_query_meta_query_fkey', 'meta_query_id, query_type', 'meta_query_id, query_type', true, 'CASCADE'),
           ('chat_query', 'meta_query', 'chat_query_meta_query_fkey', 'meta_query_id, query_type', 'meta_query_id, query_type', false, 'CASCADE'),
           ('had_generation', 'meta_query', 'had_generation_meta_query_id_fkey', 'meta_query_id', 'meta_query_id', true, 'CASCADE'),
           ('ground_truth', 'completion_query', 'ground_truth_completion_query_id_fkey', 'completion_query_id', 'meta_query_id', false, 'CASCADE'),
           ('generation_feedback', 'had_generation', 'generation_feedback_generation_fkey', 'meta_query_id, model_id', 'meta_query_id, model_id', false, 'CASCADE'),
           ('completion_retention', 'had_generation', 'completion_retention_generation_fkey', 'meta_query_id, model_id', 'meta_query_id, model_id', false, 'CASCADE'),
           ('chat_context_optimization', 'chat_query', 'chat_context_optimization_meta_query_id_fkey', 'meta_query_id', 'meta_query_id', false, 'CASCADE');
$$;
COMMENT ON FUNCTION telemetry_month_keys() IS
    'The foreign keys declared per monthly partition, from a referencing table''s month to the referenced table''s month (0014, 0016).';

-- As 0014's, with each key's own ON DELETE action.
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
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%s) REFERENCES %I (%s) ON DELETE %s %s',
                           v_leaf.relname, v_key.name, v_key.columns, coalesce(v_target, v_key.parent), v_key.referenced, v_key.on_delete,
                           CASE WHEN v_key.is_deferrable THEN 'DEFERRABLE INITIALLY IMMEDIATE' ELSE 'NOT DEFERRABLE' END);
            v_added := v_added + 1;
        END LOOP;
    END LOOP;
    RETURN v_added;
END
$$;

-- As 0011's, but a month used by a query of another month is found by the other-month columns (a read of their partial
-- indexes, which hold only such rows) instead of a range of the old columns' indexes, which are gone.
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
            OR EXISTS (SELECT FROM meta_query m WHERE m.context_id_other_month >= lower_bound AND m.context_id_other_month < upper_bound)
            OR EXISTS (SELECT FROM meta_query m WHERE m.contextual_telemetry_id_other_month >= lower_bound AND m.contextual_telemetry_id_other_month < upper_bound)
            OR EXISTS (SELECT FROM meta_query m WHERE m.behavioral_telemetry_id_other_month >= lower_bound AND m.behavioral_telemetry_id_other_month < upper_bound)
            OR EXISTS (SELECT 1 FROM unnest(telemetry_partitioned_tables()) t
                       WHERE to_regclass(t || '_' || v_month.suffix) IS NULL);
        suffix := v_month.suffix;
        RETURN NEXT;
    END LOOP;
END
$$;

-- The same-month keys of every partition of meta_query (checking the rows already stored), as telemetry_partitions_ensure
-- will declare them for every month it makes.
SELECT telemetry_month_keys_ensure();
