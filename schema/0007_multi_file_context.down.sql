-- Reverts 0007. The columns belong to 0001 and keep their data.
DROP FUNCTION record_multi_file_context(uuid[], jsonb[], jsonb[]);
DROP FUNCTION multi_file_context_changes_stored(jsonb, jsonb);
