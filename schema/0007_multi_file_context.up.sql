-- 0007 Multi-file context (issue 4): what the other files whose text went into a completion prompt looked like at
-- query time. The columns exist since 0001 (jsonb, default '{}'); this migration defines their shapes and gives the
-- telemetry writer, which holds INSERT only (0003), the one way to add to the project's two.
--
--  * project.multi_file_contexts = {"<path>": "<text>"}: the baseline of each file, its (redacted) text the first
--    time any session used it as context in the project. <path> is relative to the workspace folder, with '/'.
--    The first write per path wins; later candidates are ignored.
--  * project.multi_file_context_changes = {"<key>": {"path", "offset", "deleted", "text", "at"}}, appended.
--    <key> is "<session_id>:<n>" (n counts from 1 in each server lifetime): unique across sessions, restarts and
--    concurrent editors of the project. A change replaces "deleted" UTF-16 code units at "offset" with "text";
--    "deleted" null means to the end of the file (with offset 0: a reset to "text"); "text" null stands for the
--    baseline of the path (stored so when the text equals it, which keeps a session's first use of an unchanged
--    file from storing the file twice). "at": when the server saw the file so (ISO 8601, UTC).
--  * meta_query.multi_file_context_changes_indexes = {"<path>": ["<key>", ...] | null}: apply the listed changes in
--    order to the baseline of the path and the result is the file as the query's prompt saw it; null: the file was
--    used but was too long to record.
--
-- record_multi_file_context(projects, contexts, changes): SECURITY DEFINER, one call per batch, one element per
-- project (each project at most once). Idempotent: baselines merge as new || old (old wins), changes as old || new
-- with stable keys and values that depend only on the baseline, which never changes once set; a replay rewrites
-- no row. Computed from the row being updated (not from a snapshot), so concurrent writers to one project both land.

CREATE FUNCTION multi_file_context_changes_stored(p_changes jsonb, p_contexts jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp
AS $$
    SELECT coalesce(jsonb_object_agg(c.key,
               CASE WHEN c.value->>'text' = p_contexts->>(c.value->>'path') THEN jsonb_set(c.value, '{text}', 'null') ELSE c.value END),
           '{}')
    FROM jsonb_each(p_changes) AS c;
$$;

CREATE FUNCTION record_multi_file_context(p_project_id uuid[], p_contexts jsonb[], p_changes jsonb[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE project p
    SET multi_file_contexts = i.contexts || p.multi_file_contexts,
        multi_file_context_changes = p.multi_file_context_changes
            || multi_file_context_changes_stored(i.changes, i.contexts || p.multi_file_contexts)
    FROM unnest(p_project_id, p_contexts, p_changes) AS i(project_id, contexts, changes)
    WHERE p.project_id = i.project_id
      AND NOT ((i.contexts || p.multi_file_contexts) = p.multi_file_contexts
               AND multi_file_context_changes_stored(i.changes, i.contexts || p.multi_file_contexts) <@ p.multi_file_context_changes);
$$;

REVOKE ALL ON FUNCTION multi_file_context_changes_stored(jsonb, jsonb), record_multi_file_context(uuid[], jsonb[], jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_multi_file_context(uuid[], jsonb[], jsonb[]) TO code4me_writer;
