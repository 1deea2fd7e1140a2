-- 0008 Deferrable foreign keys on the tables the telemetry writer COPYs into (issue 4).
--
-- Nothing changes for anyone who does not ask: the keys stay INITIALLY IMMEDIATE, checked at the end of each
-- statement as before. The telemetry writer asks (SET CONSTRAINTS ALL DEFERRED at the start of each batch), and
-- its checks then run at COMMIT, the same checks, all of them, before the batch becomes visible.
--
-- Why: PostgreSQL (up to 16 at least) runs a COPY's queued foreign-key checks before it releases the COPY's
-- multi-insert buffer, whose up to 1000 tuple slots each hold a reference to the table's tuple descriptor in the
-- resource owner. Those identical references fill one run of the resource owner's open-addressing hash, and every
-- check's own slots probe through it: in the benchmark that cost about 10 µs of PostgreSQL CPU per event, ~10 % of
-- the write. Checked at COMMIT, the buffers are gone and a check costs what it costs after an INSERT … SELECT.
ALTER TABLE contextual_telemetry ALTER CONSTRAINT contextual_telemetry_version_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE contextual_telemetry ALTER CONSTRAINT contextual_telemetry_trigger_type_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE contextual_telemetry ALTER CONSTRAINT contextual_telemetry_language_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_user_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_contextual_telemetry_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_behavioral_telemetry_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_context_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_session_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE meta_query ALTER CONSTRAINT meta_query_project_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE completion_query ALTER CONSTRAINT completion_query_meta_query_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE had_generation ALTER CONSTRAINT had_generation_meta_query_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE had_generation ALTER CONSTRAINT had_generation_model_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
