using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// One row in every table, linked through every foreign key: a user with a config, project,
/// two sessions, a chat, a completion query (context, telemetry, generation, ground truth) and a
/// chat query (with the chat's settings and a context optimisation), preferences and consent. Ids are fixed so that test data can name them in SQL.
/// </summary>
internal static class TelemetryGraph
{
    public static readonly Guid UserId = new("00000000-0000-7000-8000-000000000001");
    public static readonly Guid ProjectId = new("00000000-0000-7000-8000-000000000002");
    public static readonly Guid SessionId = new("00000000-0000-7000-8000-000000000003");
    public static readonly Guid Session2Id = new("00000000-0000-7000-8000-000000000004");
    public static readonly Guid ChatId = new("00000000-0000-7000-8000-000000000005");
    public static readonly Guid ContextId = new("00000000-0000-7000-8000-000000000006");
    public static readonly Guid ContextualId = new("00000000-0000-7000-8000-000000000007");
    public static readonly Guid BehavioralId = new("00000000-0000-7000-8000-000000000008");
    public static readonly Guid CompletionQueryId = new("00000000-0000-7000-8000-000000000009");
    public static readonly Guid ChatQueryId = new("00000000-0000-7000-8000-00000000000a");

    /// <summary>The parameters every SQL text of a test may use: @UserId, @ProjectId, …, @ConfigId, @ModelId, …</summary>
    public sealed record Ids(long ConfigId, long VersionId, long TriggerTypeId, long LanguageId, long ModelId, long Model2Id, long Model3Id)
    {
        public Guid UserId { get; } = TelemetryGraph.UserId;
        public Guid ProjectId { get; } = TelemetryGraph.ProjectId;
        public Guid SessionId { get; } = TelemetryGraph.SessionId;
        public Guid Session2Id { get; } = TelemetryGraph.Session2Id;
        public Guid ChatId { get; } = TelemetryGraph.ChatId;
        public Guid ContextId { get; } = TelemetryGraph.ContextId;
        public Guid ContextualId { get; } = TelemetryGraph.ContextualId;
        public Guid BehavioralId { get; } = TelemetryGraph.BehavioralId;
        public Guid CompletionQueryId { get; } = TelemetryGraph.CompletionQueryId;
        public Guid ChatQueryId { get; } = TelemetryGraph.ChatQueryId;
    }

    private const string ReferenceSql = """
        INSERT INTO config (config_data) VALUES ('{"graph": true}') RETURNING config_id;
        INSERT INTO plugin_version (version_name, ide_type) VALUES ('graph-1.0', 'graph-ide') RETURNING version_id;
        SELECT trigger_type_id FROM trigger_type WHERE trigger_type_name = 'manual';
        INSERT INTO programming_language (language_name) VALUES ('graph-lang') RETURNING language_id;
        INSERT INTO model_name (model_name) VALUES ('graph-model') RETURNING model_id;
        INSERT INTO model_name (model_name) VALUES ('graph-model-2') RETURNING model_id;
        INSERT INTO model_name (model_name) VALUES ('graph-model-3') RETURNING model_id;
        """;

    private const string RowsSql = """
        INSERT INTO "user" (user_id, email, name, password, config_id, auth_token)
        VALUES (@UserId, 'graph@example.org', 'Graph', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', @ConfigId, gen_random_uuid());
        INSERT INTO project (project_id, project_name) VALUES (@ProjectId, 'graph');
        INSERT INTO project_users (project_id, user_id) VALUES (@ProjectId, @UserId);
        INSERT INTO session (session_id, user_id, start_time) VALUES (@SessionId, @UserId, now()), (@Session2Id, @UserId, now());
        INSERT INTO session_projects (session_id, project_id) VALUES (@SessionId, @ProjectId), (@Session2Id, @ProjectId);
        INSERT INTO chat (chat_id, project_id, user_id, title, provider, model_id, system_prompt, context_window_tokens, session_id)
        VALUES (@ChatId, @ProjectId, @UserId, 'a chat', 'http://127.0.0.1:8080', @Model3Id, 'be brief', 8192, @Session2Id);
        INSERT INTO context (context_id, prefix, suffix, file_name) VALUES (@ContextId, 'def f(', ')', 'a.py');
        INSERT INTO contextual_telemetry (contextual_telemetry_id, version_id, trigger_type_id, language_id, caret_line, relative_document_position)
        VALUES (@ContextualId, @VersionId, @TriggerTypeId, @LanguageId, 0, 0.5);
        INSERT INTO behavioral_telemetry (behavioral_telemetry_id, typing_speed) VALUES (@BehavioralId, 3.5);
        INSERT INTO meta_query (meta_query_id, user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id, "timestamp", query_type)
        VALUES (@CompletionQueryId, @UserId, @ContextualId, @BehavioralId, @ContextId, @SessionId, @ProjectId, now(), 'completion'),
               (@ChatQueryId, @UserId, @ContextualId, @BehavioralId, @ContextId, @SessionId, @ProjectId, now(), 'chat');
        INSERT INTO completion_query (meta_query_id) VALUES (@CompletionQueryId);
        INSERT INTO chat_query (meta_query_id, chat_id) VALUES (@ChatQueryId, @ChatId);
        INSERT INTO chat_context_optimization (optimization_id, chat_id, meta_query_id, trigger_reason, optimization_type, tokens_before, tokens_after, affected_queries, created_at)
        VALUES (gen_random_uuid(), @ChatId, @ChatQueryId, 'token_limit', 'truncation', 9000, 7000, '{}', now());
        INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, confidence, logprobs)
        VALUES (@CompletionQueryId, @ModelId, 'x):', 12, 0.9, '{-0.1,-0.2}');
        INSERT INTO ground_truth (completion_query_id, truth_timestamp, ground_truth) VALUES (@CompletionQueryId, now(), 'x):');
        INSERT INTO generation_feedback (event_id, meta_query_id, model_id, kind, occurred_at) VALUES (gen_random_uuid(), @CompletionQueryId, @ModelId, 'accepted', now());
        INSERT INTO completion_retention (meta_query_id, model_id, after_seconds, measured_at, accepted_chars, retained_chars) VALUES (@CompletionQueryId, @ModelId, 15, now(), 3, 2);
        INSERT INTO user_preferences (user_id, model_id, temperature, max_tokens) VALUES (@UserId, @Model2Id, 0.2, 64);
        INSERT INTO user_consent (user_id, anonymous_telemetry_opt_in) VALUES (@UserId, true);
        INSERT INTO audit_log (user_id, event_type, action) VALUES (@UserId, 'consent', 'granted');
        INSERT INTO study (name) VALUES ('graph study');
        INSERT INTO study_participant (study_id, user_id) SELECT study_id, @UserId FROM study WHERE name = 'graph study';
        """;

    /// <summary>Inserts the graph inside <paramref name="transaction"/> (roll it back to remove it again).</summary>
    public static async Task<Ids> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        using var reader = await connection.QueryMultipleAsync(new CommandDefinition(ReferenceSql, transaction: transaction, cancellationToken: TimeoutToken.Create()));
        var ids = new Ids(
            await reader.ReadSingleAsync<long>(),
            await reader.ReadSingleAsync<long>(),
            await reader.ReadSingleAsync<long>(),
            await reader.ReadSingleAsync<long>(),
            await reader.ReadSingleAsync<long>(),
            await reader.ReadSingleAsync<long>(),
            await reader.ReadSingleAsync<long>());
        await connection.ExecuteAsync(new CommandDefinition(RowsSql, ids, transaction, cancellationToken: TimeoutToken.Create()));
        return ids;
    }
}
