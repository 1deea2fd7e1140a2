-- Reverts 0008: the keys are NOT DEFERRABLE again, as 0001 made them.
ALTER TABLE contextual_telemetry ALTER CONSTRAINT contextual_telemetry_version_id_fkey NOT DEFERRABLE;
ALTER TABLE contextual_telemetry ALTER CONSTRAINT contextual_telemetry_trigger_type_id_fkey NOT DEFERRABLE;
ALTER TABLE contextual_telemetry ALTER CONSTRAINT contextual_telemetry_language_id_fkey NOT DEFERRABLE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_user_id_fkey NOT DEFERRABLE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_contextual_telemetry_id_fkey NOT DEFERRABLE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_behavioral_telemetry_id_fkey NOT DEFERRABLE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_context_id_fkey NOT DEFERRABLE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_session_id_fkey NOT DEFERRABLE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_project_id_fkey NOT DEFERRABLE;
ALTER TABLE completion_query ALTER CONSTRAINT completion_query_meta_query_fkey NOT DEFERRABLE;
ALTER TABLE had_generation ALTER CONSTRAINT had_generation_meta_query_id_fkey NOT DEFERRABLE;
ALTER TABLE had_generation ALTER CONSTRAINT had_generation_model_id_fkey NOT DEFERRABLE;
