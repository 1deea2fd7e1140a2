-- Reverts 0006. The chat settings, reply outcomes and costs, and context-optimisation records are lost.
DROP FUNCTION chat_delete(uuid, uuid, uuid);
DROP FUNCTION chat_set_feedback(uuid, uuid, uuid, uuid, boolean, text);
DROP FUNCTION chat_rename(uuid, uuid, uuid, text);
DROP FUNCTION chat_exchanges(uuid, uuid, uuid);
DROP FUNCTION chat_list(uuid, uuid, integer, integer);
DROP FUNCTION chat_find(uuid, uuid, uuid);
DROP FUNCTION chat_is_owned(chat, uuid, uuid);
DROP TABLE chat_context_optimization;
ALTER TABLE had_generation DROP COLUMN cost;
ALTER TABLE chat_query DROP COLUMN outcome;
DROP INDEX chat_session_id_idx;
DROP INDEX chat_model_id_idx;
ALTER TABLE chat
    DROP COLUMN session_id,
    DROP COLUMN context_window_tokens,
    DROP COLUMN system_prompt,
    DROP COLUMN model_id,
    DROP COLUMN provider;
