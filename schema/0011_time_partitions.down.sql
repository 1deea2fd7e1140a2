-- Reverts 0011: the per-event tables as 0010 left them (plain tables, the same rows), the analysis views recreated
-- over them, and the partition functions gone.

SELECT analysis_views_stash();

CREATE SCHEMA partitioned_telemetry;
ALTER TABLE context SET SCHEMA partitioned_telemetry;
ALTER TABLE contextual_telemetry SET SCHEMA partitioned_telemetry;
ALTER TABLE behavioral_telemetry SET SCHEMA partitioned_telemetry;
ALTER TABLE meta_query SET SCHEMA partitioned_telemetry;
ALTER TABLE completion_query SET SCHEMA partitioned_telemetry;
ALTER TABLE chat_query SET SCHEMA partitioned_telemetry;
ALTER TABLE had_generation SET SCHEMA partitioned_telemetry;
ALTER TABLE ground_truth SET SCHEMA partitioned_telemetry;
ALTER TABLE generation_feedback SET SCHEMA partitioned_telemetry;
ALTER TABLE completion_retention SET SCHEMA partitioned_telemetry;
ALTER TABLE chat_context_optimization SET SCHEMA partitioned_telemetry;

CREATE TABLE context (
    context_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    prefix        text,
    suffix        text,
    file_name     text,
    selected_text text
);

CREATE TABLE contextual_telemetry (
    contextual_telemetry_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version_id                 bigint NOT NULL CONSTRAINT contextual_telemetry_version_id_fkey REFERENCES plugin_version (version_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    trigger_type_id            bigint NOT NULL CONSTRAINT contextual_telemetry_trigger_type_id_fkey REFERENCES trigger_type (trigger_type_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    language_id                bigint NOT NULL CONSTRAINT contextual_telemetry_language_id_fkey REFERENCES programming_language (language_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    file_path                  text,
    caret_line                 integer CONSTRAINT contextual_telemetry_caret_line_check CHECK (caret_line >= 0),
    document_char_length       integer CONSTRAINT contextual_telemetry_document_char_length_check CHECK (document_char_length >= 0),
    relative_document_position double precision
        CONSTRAINT contextual_telemetry_relative_document_position_check CHECK (relative_document_position BETWEEN 0 AND 1)
);
CREATE INDEX contextual_telemetry_version_id_idx ON contextual_telemetry (version_id);
CREATE INDEX contextual_telemetry_trigger_type_id_idx ON contextual_telemetry (trigger_type_id);
CREATE INDEX contextual_telemetry_language_id_idx ON contextual_telemetry (language_id);

CREATE TABLE behavioral_telemetry (
    behavioral_telemetry_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    time_since_last_shown    bigint CONSTRAINT behavioral_telemetry_time_since_last_shown_check CHECK (time_since_last_shown >= 0),
    time_since_last_accepted bigint CONSTRAINT behavioral_telemetry_time_since_last_accepted_check CHECK (time_since_last_accepted >= 0),
    typing_speed             double precision CONSTRAINT behavioral_telemetry_typing_speed_check CHECK (typing_speed >= 0)
);

CREATE TABLE meta_query (
    meta_query_id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                            uuid CONSTRAINT meta_query_user_id_fkey REFERENCES "user" (user_id) ON DELETE SET NULL DEFERRABLE INITIALLY IMMEDIATE,
    contextual_telemetry_id            uuid CONSTRAINT meta_query_contextual_telemetry_id_fkey REFERENCES contextual_telemetry (contextual_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    behavioral_telemetry_id            uuid CONSTRAINT meta_query_behavioral_telemetry_id_fkey REFERENCES behavioral_telemetry (behavioral_telemetry_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    context_id                         uuid CONSTRAINT meta_query_context_id_fkey REFERENCES context (context_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    session_id                         uuid NOT NULL CONSTRAINT meta_query_session_id_fkey REFERENCES session (session_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    project_id                         uuid NOT NULL CONSTRAINT meta_query_project_id_fkey REFERENCES project (project_id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
    multi_file_context_changes_indexes jsonb NOT NULL DEFAULT '{}',
    "timestamp"                        timestamptz NOT NULL,
    total_serving_time                 integer CONSTRAINT meta_query_total_serving_time_check CHECK (total_serving_time >= 0),
    server_version_id                  bigint,
    query_type                         text NOT NULL CONSTRAINT meta_query_query_type_check CHECK (query_type IN ('chat', 'completion')),
    server_version                     text,
    CONSTRAINT meta_query_id_type_key UNIQUE (meta_query_id, query_type)
);
CREATE INDEX meta_query_user_id_idx ON meta_query (user_id);
CREATE INDEX meta_query_contextual_telemetry_id_idx ON meta_query (contextual_telemetry_id);
CREATE INDEX meta_query_behavioral_telemetry_id_idx ON meta_query (behavioral_telemetry_id);
CREATE INDEX meta_query_context_id_idx ON meta_query (context_id);
CREATE INDEX meta_query_session_id_idx ON meta_query (session_id);
CREATE INDEX meta_query_project_id_idx ON meta_query (project_id);
CREATE INDEX meta_query_timestamp_idx ON meta_query ("timestamp");
CREATE INDEX meta_query_query_type_timestamp_idx ON meta_query (query_type, "timestamp");
CREATE TRIGGER meta_query_writer_check AFTER INSERT ON meta_query
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_rows_are_callers('user_id');

CREATE TABLE completion_query (
    meta_query_id uuid PRIMARY KEY,
    query_type    text NOT NULL DEFAULT 'completion' CONSTRAINT completion_query_query_type_check CHECK (query_type = 'completion'),
    CONSTRAINT completion_query_meta_query_fkey FOREIGN KEY (meta_query_id, query_type)
        REFERENCES meta_query (meta_query_id, query_type) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
);

CREATE TABLE chat_query (
    meta_query_id uuid PRIMARY KEY,
    query_type    text NOT NULL DEFAULT 'chat' CONSTRAINT chat_query_query_type_check CHECK (query_type = 'chat'),
    chat_id       uuid NOT NULL CONSTRAINT chat_query_chat_id_fkey REFERENCES chat (chat_id) ON DELETE CASCADE,
    web_enabled   boolean NOT NULL DEFAULT false,
    outcome       text NOT NULL DEFAULT 'completed'
        CONSTRAINT chat_query_outcome_check CHECK (outcome IN ('completed', 'cancelled', 'failed')),
    CONSTRAINT chat_query_meta_query_fkey FOREIGN KEY (meta_query_id, query_type)
        REFERENCES meta_query (meta_query_id, query_type) ON DELETE CASCADE
);
CREATE INDEX chat_query_chat_id_idx ON chat_query (chat_id);
CREATE TRIGGER chat_query_writer_check AFTER INSERT ON chat_query
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION writer_chat_queries_are_callers();

CREATE TABLE had_generation (
    meta_query_id     uuid NOT NULL CONSTRAINT had_generation_meta_query_id_fkey REFERENCES meta_query (meta_query_id) ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE,
    model_id          bigint NOT NULL CONSTRAINT had_generation_model_id_fkey REFERENCES model_name (model_id) ON DELETE RESTRICT DEFERRABLE INITIALLY IMMEDIATE,
    completion        text NOT NULL,
    generation_time   integer NOT NULL CONSTRAINT had_generation_generation_time_check CHECK (generation_time >= 0),
    shown_at          timestamptz[] NOT NULL DEFAULT '{}',
    was_accepted      boolean NOT NULL DEFAULT false,
    confidence        double precision NOT NULL,
    logprobs          double precision[] NOT NULL DEFAULT '{}',
    prompt_tokens     integer CONSTRAINT had_generation_prompt_tokens_check CHECK (prompt_tokens >= 0),
    completion_tokens integer CONSTRAINT had_generation_completion_tokens_check CHECK (completion_tokens >= 0),
    is_mistake        boolean NOT NULL DEFAULT false,
    mistake_note      text,
    cost              numeric(14, 6) CONSTRAINT had_generation_cost_check CHECK (cost >= 0),
    CONSTRAINT had_generation_mistake_note_check CHECK (mistake_note IS NULL OR is_mistake),
    PRIMARY KEY (meta_query_id, model_id)
);
CREATE INDEX had_generation_model_id_idx ON had_generation (model_id);

CREATE TABLE ground_truth (
    completion_query_id uuid NOT NULL CONSTRAINT ground_truth_completion_query_id_fkey REFERENCES completion_query (meta_query_id) ON DELETE CASCADE,
    truth_timestamp     timestamptz NOT NULL,
    ground_truth        text NOT NULL,
    after_seconds       integer CONSTRAINT ground_truth_after_seconds_check CHECK (after_seconds >= 0),
    context_before      text,
    context_after       text,
    PRIMARY KEY (completion_query_id, truth_timestamp)
);

CREATE TABLE generation_feedback (
    event_id        uuid PRIMARY KEY,
    meta_query_id   uuid NOT NULL,
    model_id        bigint NOT NULL,
    kind            text NOT NULL
        CONSTRAINT generation_feedback_kind_check CHECK (kind IN ('accepted', 'partially_accepted', 'rejected')),
    occurred_at     timestamptz NOT NULL,
    accepted_length integer
        CONSTRAINT generation_feedback_accepted_length_check
        CHECK ((kind = 'partially_accepted') = (accepted_length IS NOT NULL) AND accepted_length >= 0),
    CONSTRAINT generation_feedback_generation_fkey FOREIGN KEY (meta_query_id, model_id)
        REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE
);
CREATE INDEX generation_feedback_generation_idx ON generation_feedback (meta_query_id, model_id);
CREATE INDEX generation_feedback_occurred_at_idx ON generation_feedback (occurred_at);

CREATE TABLE completion_retention (
    meta_query_id  uuid NOT NULL,
    model_id       bigint NOT NULL,
    after_seconds  integer NOT NULL CONSTRAINT completion_retention_after_seconds_check CHECK (after_seconds > 0),
    measured_at    timestamptz NOT NULL,
    accepted_chars integer NOT NULL CONSTRAINT completion_retention_accepted_chars_check CHECK (accepted_chars >= 0),
    retained_chars integer NOT NULL
        CONSTRAINT completion_retention_retained_chars_check CHECK (retained_chars >= 0 AND retained_chars <= accepted_chars),
    PRIMARY KEY (meta_query_id, model_id, after_seconds),
    CONSTRAINT completion_retention_generation_fkey FOREIGN KEY (meta_query_id, model_id)
        REFERENCES had_generation (meta_query_id, model_id) ON DELETE CASCADE
);

CREATE TABLE chat_context_optimization (
    optimization_id   uuid PRIMARY KEY,
    chat_id           uuid NOT NULL CONSTRAINT chat_context_optimization_chat_id_fkey REFERENCES chat (chat_id) ON DELETE CASCADE,
    meta_query_id     uuid NOT NULL CONSTRAINT chat_context_optimization_meta_query_id_fkey REFERENCES chat_query (meta_query_id) ON DELETE CASCADE,
    trigger_reason    text NOT NULL CONSTRAINT chat_context_optimization_trigger_reason_check CHECK (trigger_reason IN ('token_limit')),
    optimization_type text NOT NULL
        CONSTRAINT chat_context_optimization_type_check CHECK (optimization_type IN ('truncation', 'summarization')),
    tokens_before     integer NOT NULL CONSTRAINT chat_context_optimization_tokens_before_check CHECK (tokens_before >= 0),
    tokens_after      integer NOT NULL CONSTRAINT chat_context_optimization_tokens_after_check CHECK (tokens_after >= 0),
    summary           text,
    affected_queries  uuid[] NOT NULL,
    created_at        timestamptz NOT NULL,
    CONSTRAINT chat_context_optimization_summary_check CHECK ((optimization_type = 'summarization') = (summary IS NOT NULL))
);
CREATE INDEX chat_context_optimization_chat_id_idx ON chat_context_optimization (chat_id);
CREATE INDEX chat_context_optimization_meta_query_id_idx ON chat_context_optimization (meta_query_id);

GRANT INSERT ON context, contextual_telemetry, behavioral_telemetry, meta_query, completion_query, chat_query,
    had_generation, ground_truth, completion_retention, chat_context_optimization TO code4me_writer;
GRANT SELECT ON context, contextual_telemetry, behavioral_telemetry, meta_query, completion_query, chat_query,
    had_generation, ground_truth, generation_feedback, completion_retention, chat_context_optimization TO code4me_analyst;

INSERT INTO context SELECT * FROM partitioned_telemetry.context;
INSERT INTO contextual_telemetry SELECT * FROM partitioned_telemetry.contextual_telemetry;
INSERT INTO behavioral_telemetry SELECT * FROM partitioned_telemetry.behavioral_telemetry;
INSERT INTO meta_query SELECT * FROM partitioned_telemetry.meta_query;
INSERT INTO completion_query SELECT * FROM partitioned_telemetry.completion_query;
INSERT INTO chat_query SELECT * FROM partitioned_telemetry.chat_query;
INSERT INTO had_generation SELECT * FROM partitioned_telemetry.had_generation;
INSERT INTO ground_truth SELECT * FROM partitioned_telemetry.ground_truth;
INSERT INTO generation_feedback SELECT * FROM partitioned_telemetry.generation_feedback;
INSERT INTO completion_retention SELECT * FROM partitioned_telemetry.completion_retention;
INSERT INTO chat_context_optimization SELECT * FROM partitioned_telemetry.chat_context_optimization;
DROP TABLE partitioned_telemetry.context, partitioned_telemetry.contextual_telemetry, partitioned_telemetry.behavioral_telemetry, partitioned_telemetry.meta_query, partitioned_telemetry.completion_query, partitioned_telemetry.chat_query, partitioned_telemetry.had_generation, partitioned_telemetry.ground_truth, partitioned_telemetry.generation_feedback, partitioned_telemetry.completion_retention, partitioned_telemetry.chat_context_optimization;
DROP SCHEMA partitioned_telemetry;

SELECT analysis_views_restore();

DROP FUNCTION analysis_views_stash(), analysis_views_restore(),
    telemetry_partitions_droppable(timestamptz), telemetry_partitions_ensure(timestamptz, timestamptz),
    telemetry_partitioned_tables(), telemetry_partition_bound(timestamptz);
