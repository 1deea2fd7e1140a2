-- 0002 Additions from seeds 001-004, in the style of 0001 (timestamptz, UUID keys, snake_case,
-- NOT NULL booleans with defaults, an index on every foreign key).

-- Token usage per generation (seeds 001, 003): what the model reported, null when it reported nothing.
ALTER TABLE had_generation
    ADD COLUMN prompt_tokens     integer CONSTRAINT had_generation_prompt_tokens_check CHECK (prompt_tokens >= 0),
    ADD COLUMN completion_tokens integer CONSTRAINT had_generation_completion_tokens_check CHECK (completion_tokens >= 0);

-- A chat reply marked as a mistake, with a note (seed 001). A reply is the had_generation row of a
-- chat query (one per model), so the mark lives there; completions are accepted or not instead.
ALTER TABLE had_generation
    ADD COLUMN is_mistake   boolean NOT NULL DEFAULT false,
    ADD COLUMN mistake_note text,
    ADD CONSTRAINT had_generation_mistake_note_check CHECK (mistake_note IS NULL OR is_mistake);

-- Per-user preferences (seed 002: model, temperature, max tokens, IDE type). A row only exists
-- once the user set something; null means "the server's default".
CREATE TABLE user_preferences (
    user_id     uuid PRIMARY KEY REFERENCES "user" (user_id) ON DELETE CASCADE,
    model_id    bigint REFERENCES model_name (model_id) ON DELETE SET NULL,
    temperature double precision CONSTRAINT user_preferences_temperature_check CHECK (temperature BETWEEN 0 AND 2),
    max_tokens  integer CONSTRAINT user_preferences_max_tokens_check CHECK (max_tokens > 0),
    ide_type    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_preferences_model_id_idx ON user_preferences (model_id);

-- Consent (seed 004's anonymous-telemetry opt-in, plus Code4me V2's per-module switches).
-- Everything defaults to false: no consent is assumed until the user gives it.
CREATE TABLE user_consent (
    user_id                    uuid PRIMARY KEY REFERENCES "user" (user_id) ON DELETE CASCADE,
    anonymous_telemetry_opt_in boolean NOT NULL DEFAULT false,
    store_context              boolean NOT NULL DEFAULT false,
    store_contextual           boolean NOT NULL DEFAULT false,
    store_behavioral           boolean NOT NULL DEFAULT false,
    updated_at                 timestamptz NOT NULL DEFAULT now()
);

-- Audit log of consent, credential and deletion events (seeds 002, 004). Append-only: no role
-- but the owner may UPDATE or DELETE. user_id deliberately has NO foreign key: the record that a
-- user was deleted must outlive the user. detail never holds personal data (no e-mail, no secret).
CREATE TABLE audit_log (
    audit_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    user_id     uuid,
    event_type  text NOT NULL CONSTRAINT audit_log_event_type_check CHECK (event_type IN ('consent', 'credential', 'deletion')),
    action      text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_user_id_idx ON audit_log (user_id);
CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at);
CREATE INDEX audit_log_event_type_idx ON audit_log (event_type, occurred_at);
