using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using static Code4me.Lsp.Storage.Postgres.SqlCommands;

namespace Code4me.Lsp.Storage.Postgres.Chat;

/// <summary>
/// Chats in the Code4me V2 schema: <c>chat</c>; per exchange <c>context</c> (the user's message as <c>prefix</c>, the
/// file name and the selected text), <c>contextual_telemetry</c> (trigger <c>manual</c>), an empty
/// <c>behavioral_telemetry</c>, <c>meta_query</c> (type <c>chat</c>), <c>chat_query</c> and one <c>had_generation</c>
/// (the reply, its time, token counts when the provider reported them, the mistake mark). The <c>session</c> is this
/// server's <see cref="TelemetrySession"/>; the <c>project</c> is the first workspace folder (one row per session and
/// folder, with a deterministic id). The chat keeps its provider, model, system prompt and window; a reply its outcome,
/// cost and any context optimisation. Writes are plain INSERTs in a transaction that shows PostgreSQL the auth token
/// (<see cref="WriterProof"/>), which refuses a row of any other user (0009); reads and changes go through the
/// owner-checking SECURITY DEFINER functions of 0006, so <c>code4me_writer</c> suffices and sees only its user's chats
/// (an anonymous user's: those started in this session). Consent is applied in front of it (<see cref="ConsentGatedChatStore"/>).
/// </summary>
/// <remarks>
/// The user is the one of the configured auth token (<see cref="Code4meStorageOptions.AuthToken"/>), never a configured
/// user id: the writer login is on every participant's machine and user ids are not secret. Every statement sends the
/// token and PostgreSQL resolves it (<c>user_id_for_auth_token</c>) for each operation, on inserts as in the owner
/// checks; a token of no user (or none) is anonymous, which is logged once.
/// </remarks>
internal sealed class PostgresChatStore(
    NpgsqlDataSource dataSource,
    ReferenceData references,
    TelemetrySession session,
    EditorSession editor,
    IOptionsMonitor<ChatOptions> options,
    IOptions<Code4meStorageOptions> storage,
    ILogger<PostgresChatStore> logger) : IChatStore, IDisposable
{
    // Bare ON CONFLICT DO NOTHING: naming a conflict target needs SELECT, which code4me_writer does not have (0003).
    // The user of a row is always user_id_for_auth_token(@AuthToken): the token, a secret, is the only identity sent.
    private const string EnsureSessionSql = """
        INSERT INTO session (session_id, user_id, start_time, installation_id)
            VALUES (@SessionId, user_id_for_auth_token(@AuthToken), @Now, @InstallationId) ON CONFLICT DO NOTHING;
        INSERT INTO project (project_id, project_name, owner_user_id, owner_installation_id)
            VALUES (@ProjectId, @ProjectName, user_id_for_auth_token(@AuthToken), @InstallationId) ON CONFLICT DO NOTHING;
        INSERT INTO session_projects (session_id, project_id) VALUES (@SessionId, @ProjectId) ON CONFLICT DO NOTHING;
        """;

    private const string InsertChatSql = """
        INSERT INTO chat (chat_id, project_id, user_id, title, created_at, provider, model_id, system_prompt, context_window_tokens, session_id)
        VALUES (@ChatId, @ProjectId, user_id_for_auth_token(@AuthToken), @Title, @CreatedAt, @Provider, @ModelId, @SystemPrompt, @ContextWindowTokens, @SessionId)
        """;

    private const string InsertExchangeSql = """
        INSERT INTO context (context_id, prefix, suffix, file_name, selected_text) VALUES (@ContextId, @Message, NULL, @FileName, @SelectedText);
        INSERT INTO contextual_telemetry (contextual_telemetry_id, version_id, trigger_type_id, language_id, file_path)
            VALUES (@ContextualId, @VersionId, @TriggerTypeId, @LanguageId, @FileName);
        INSERT INTO behavioral_telemetry (behavioral_telemetry_id) VALUES (@BehavioralId);
        INSERT INTO meta_query (meta_query_id, user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id,
                                "timestamp", total_serving_time, query_type)
            VALUES (@QueryId, user_id_for_auth_token(@AuthToken), @ContextualId, @BehavioralId, @ContextId, @SessionId, @ProjectId, @Timestamp, @GenerationTime, 'chat');
        INSERT INTO chat_query (meta_query_id, chat_id, web_enabled, outcome) VALUES (@QueryId, @ChatId, @WebEnabled, @Outcome);
        INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, confidence, prompt_tokens, completion_tokens, cost)
            VALUES (@QueryId, @ModelId, @Reply, @GenerationTime, 0, @PromptTokens, @CompletionTokens, @Cost);
        """;

    private const string InsertOptimizationSql = """
        INSERT INTO chat_context_optimization (optimization_id, chat_id, meta_query_id, trigger_reason, optimization_type, tokens_before, tokens_after,
                                               summary, affected_queries, created_at)
            VALUES (@OptimizationId, @ChatId, @QueryId, 'token_limit', @OptimizationType, @TokensBefore, @TokensAfter, @Summary, @AffectedQueries, @Timestamp);
        """;

    // Reads and changes go through the SECURITY DEFINER functions of 0006, which check the owner: they work for
    // code4me_writer (INSERT only) and return or touch only the chats of the auth token's user (an anonymous user's:
    // this session's).
    private const string ChatColumns = """
        chat_id AS ChatId, title AS Title, created_at AS CreatedAt, provider AS Provider, model AS Model,
        system_prompt AS SystemPrompt, context_window_tokens AS ContextWindowTokens
        """;

    private const string FindChatSql = $"SELECT {ChatColumns} FROM chat_find(@ChatId, @AuthToken, @SessionId)";

    private const string ListChatsSql = $"SELECT {ChatColumns} FROM chat_list(@AuthToken, @SessionId, @Limit, @Offset)";

    private const string ExchangesSql = """
        SELECT query_id AS QueryId, chat_id AS ChatId, "timestamp" AS Timestamp, message AS Message, reply AS Reply,
               model AS Model, outcome AS Outcome, generation_time AS GenerationTime, prompt_tokens AS PromptTokens,
               completion_tokens AS CompletionTokens, cost AS Cost, web_enabled AS WebEnabled, file_name AS FileName,
               selected_text AS SelectedText, is_mistake AS IsMistake, mistake_note AS MistakeNote
        FROM chat_exchanges(@ChatId, @AuthToken, @SessionId)
        """;

    private const string RenameSql = "SELECT chat_rename(@ChatId, @AuthToken, @SessionId, @Title)";

    private const string DeleteChatSql = "SELECT chat_delete(@ChatId, @AuthToken, @SessionId)";

    private const string FeedbackSql = "SELECT chat_set_feedback(@ChatId, @QueryId, @AuthToken, @SessionId, @IsMistake, @Note)";

    private readonly SemaphoreSlim _ensured = new(1, 1);
    private bool _sessionWritten;
    private bool _accountDeleted;

    private Guid? AuthToken => storage.Value.AuthToken;

    public async Task CreateChatAsync(ChatRecord chat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var (projectId, _) = Project();
        if (!await EnsureSessionAsync(chat.CreatedAt, cancellationToken))
        {
            return;
        }

        var modelId = await references.GetModelIdAsync(chat.Model, isInstructionTuned: true, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await InsertAsync(
            connection,
            InsertChatSql,
            [
                Param("ChatId", chat.ChatId), Param("ProjectId", projectId), Param("AuthToken", AuthToken), Param("Title", chat.Title),
                Param("CreatedAt", chat.CreatedAt), Param("Provider", chat.Provider), Param("ModelId", modelId), Param("SystemPrompt", chat.SystemPrompt),
                Param("ContextWindowTokens", chat.ContextWindowTokens), Param("SessionId", session.SessionId),
            ],
            cancellationToken);
    }

    public async Task<ChatRecord?> FindChatAsync(Guid chatId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync(
            FindChatSql, ChatRow.Read, null, cancellationToken, Param("ChatId", chatId), Param("AuthToken", AuthToken), Param("SessionId", session.SessionId));
        return row is null ? null : ToRecord(row);
    }

    public async Task<ChatPage> ListChatsAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync(
            ListChatsSql, ChatRow.Read, null, cancellationToken,
            Param("AuthToken", AuthToken), Param("SessionId", session.SessionId), Param("Limit", pageSize + 1), Param("Offset", page * pageSize));
        return new ChatPage([.. rows.Take(pageSize).Select(ToRecord)], rows.Count > pageSize ? page + 1 : null);
    }

    public async Task<IReadOnlyList<ChatExchange>> GetExchangesAsync(Guid chatId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync(
            ExchangesSql, ExchangeRow.Read, null, cancellationToken, Param("ChatId", chatId), Param("AuthToken", AuthToken), Param("SessionId", session.SessionId));
        return [.. rows.Select(r => new ChatExchange(
            r.QueryId, r.ChatId, new DateTimeOffset(DateTime.SpecifyKind(r.Timestamp, DateTimeKind.Utc)), r.Message, r.Reply, r.Model,
            Enum.Parse<ChatOutcome>(r.Outcome, ignoreCase: true), r.GenerationTime, r.PromptTokens ?? 0, r.CompletionTokens ?? 0, r.PromptTokens is null, r.Cost, 0,
            r.WebEnabled, r.FileName, r.SelectedText, r.IsMistake, r.MistakeNote))];
    }

    public async Task AddExchangeAsync(ChatExchange exchange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var (projectId, _) = Project();
        if (!await EnsureSessionAsync(exchange.Timestamp, cancellationToken))   // a chat of an earlier session continued in this one
        {
            return;
        }

        var versionId = await references.GetPluginVersionIdAsync(editor.ClientVersion ?? "unknown", editor.ClientName ?? "unknown", null, cancellationToken);
        var triggerTypeId = await references.GetTriggerTypeIdAsync("manual", cancellationToken);
        var languageId = await references.GetLanguageIdAsync(exchange.LanguageId ?? "plaintext", cancellationToken);
        var modelId = await references.GetModelIdAsync(exchange.Model, isInstructionTuned: true, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var optimization = exchange.Optimization;
            NpgsqlParameter[] parameters =
            [
                Param("ContextId", Guid.CreateVersion7(exchange.Timestamp)),
                Param("ContextualId", Guid.CreateVersion7(exchange.Timestamp)),
                Param("BehavioralId", Guid.CreateVersion7(exchange.Timestamp)),
                Param("QueryId", exchange.QueryId),
                Param("ChatId", exchange.ChatId),
                Param("AuthToken", AuthToken),
                Param("Message", exchange.Message),
                Param("Reply", exchange.Reply),
                Param("FileName", exchange.FileName),
                Param("SelectedText", exchange.SelectedText),
                Param("Timestamp", exchange.Timestamp),
                Param("GenerationTime", exchange.GenerationTimeMs),
                Param("WebEnabled", exchange.WebEnabled),
                Param("SessionId", session.SessionId),
                Param("ProjectId", projectId),
                Param("VersionId", versionId),
                Param("TriggerTypeId", triggerTypeId),
                Param("LanguageId", languageId),
                Param("ModelId", modelId),
                Param("PromptTokens", exchange.UsageEstimated ? (int?)null : exchange.PromptTokens),
                Param("CompletionTokens", exchange.UsageEstimated ? (int?)null : exchange.CompletionTokens),
                Param("Cost", exchange.Cost),
                Param("Outcome", exchange.Outcome.ToString().ToLowerInvariant()),
            ];
            if (optimization is not null)
            {
                parameters =
                [
                    .. parameters,
                    Param("OptimizationId", optimization.OptimizationId),
                    Param("OptimizationType", optimization.Kind == ChatContextStrategy.Summarize ? "summarization" : "truncation"),
                    Param("TokensBefore", optimization.TokensBefore),
                    Param("TokensAfter", optimization.TokensAfter),
                    Param("Summary", optimization.Summary),
                    Param("AffectedQueries", optimization.AffectedQueryIds.ToArray()),
                ];
            }

            await InsertAsync(connection, optimization is null ? InsertExchangeSql : InsertExchangeSql + InsertOptimizationSql, parameters, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && e.ConstraintName == "chat_query_chat_id_fkey")
        {
            // The chat was deleted while its reply streamed; the exchange goes with it (the statement rolled back).
        }
    }

    public async Task<bool> RenameChatAsync(Guid chatId, string title, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ScalarAsync<bool>(
            RenameSql, null, cancellationToken, Param("ChatId", chatId), Param("AuthToken", AuthToken), Param("SessionId", session.SessionId), Param("Title", title));
    }

    public async Task<bool> DeleteChatAsync(Guid chatId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ScalarAsync<bool>(
            DeleteChatSql, null, cancellationToken, Param("ChatId", chatId), Param("AuthToken", AuthToken), Param("SessionId", session.SessionId));
    }

    public async Task<bool> SetFeedbackAsync(Guid chatId, Guid queryId, bool isMistake, string? note, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ScalarAsync<bool>(
            FeedbackSql, null, cancellationToken, Param("ChatId", chatId), Param("QueryId", queryId), Param("AuthToken", AuthToken), Param("SessionId", session.SessionId),
            Param("IsMistake", isMistake), Param("Note", isMistake ? note : null));
    }

    public void Dispose() => _ensured.Dispose();

    /// <summary>
    /// Writes this session's rows once; false when the configured token's account was deleted with all its data, in
    /// which case nothing of this process's chats is written (as the telemetry writer discards that account's events).
    /// </summary>
    private async Task<bool> EnsureSessionAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _ensured.WaitAsync(cancellationToken);
        try
        {
            if (_sessionWritten)
            {
                return !_accountDeleted;
            }

            var (projectId, projectName) = Project();
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            if (AuthToken is { } token)
            {
                // Once per process, with the session: the statements below resolve the token themselves.
                var account = await AuthTokenAccount.ResolveAsync(connection, token, cancellationToken);
                if (account.Deleted)
                {
                    ChatStoreLog.DeletedAccount(logger);
                    _accountDeleted = _sessionWritten = true;
                    return false;
                }

                if (account.IsUnknown)
                {
                    ChatStoreLog.UnknownAuthToken(logger);
                }
            }

            await InsertAsync(
                connection,
                EnsureSessionSql,
                [
                    Param("SessionId", session.SessionId), Param("InstallationId", session.InstallationId), Param("AuthToken", AuthToken), Param("Now", now),
                    Param("ProjectId", projectId), Param("ProjectName", projectName),
                ],
                cancellationToken);
            _sessionWritten = true;
            return true;
        }
        finally
        {
            _ensured.Release();
        }
    }

    /// <summary>Runs inserts in one transaction that carries the proof of the auth token (<see cref="WriterProof"/>).</summary>
    private async Task InsertAsync(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var transaction = await WriterProof.BeginAsync(connection, AuthToken, session.InstallationId, cancellationToken);
        await connection.ExecuteAsync(sql, transaction, cancellationToken, parameters);
        await transaction.CommitAsync(cancellationToken);
    }

    // One project per session and workspace folder, with an id derived from both, so writing it twice is harmless.
    private (Guid Id, string Name) Project()
    {
        var folder = editor.WorkspaceFolders.Count > 0 ? editor.WorkspaceFolders[0] : "";
        var name = folder.Length > 0 ? Path.GetFileName(folder.TrimEnd('/', '\\')) : "(no workspace)";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{session.SessionId:N}/{folder}"));
        return (new Guid(hash.AsSpan(0, 16)), name);
    }

    private ChatRecord ToRecord(ChatRow row)
    {
        var settings = options.CurrentValue;
        // Chats written before 0006 have no settings: they take the configuration's.
        return new ChatRecord(
            row.ChatId, row.Title, new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
            row.Provider ?? ChatService.ProviderName(settings), row.Model ?? settings.Model ?? "", row.SystemPrompt ?? settings.SystemPrompt,
            row.ContextWindowTokens ?? settings.ContextWindowTokens);
    }

    // Read by position, in the order of ChatColumns and ExchangesSql.
    private sealed record ChatRow(Guid ChatId, string Title, DateTime CreatedAt, string? Provider, string? Model, string? SystemPrompt, int? ContextWindowTokens)
    {
        public static ChatRow Read(NpgsqlDataReader r) =>
            new(r.Get<Guid>(0), r.Get<string>(1) ?? "", r.Get<DateTime>(2), r.Get<string>(3), r.Get<string>(4), r.Get<string>(5), r.Get<int?>(6));
    }

    private sealed record ExchangeRow(
        Guid QueryId, Guid ChatId, DateTime Timestamp, string Message, string Reply, string Model, string Outcome, int GenerationTime, int? PromptTokens,
        int? CompletionTokens, decimal? Cost, bool WebEnabled, string? FileName, string? SelectedText, bool IsMistake, string? MistakeNote)
    {
        public static ExchangeRow Read(NpgsqlDataReader r) => new(
            r.Get<Guid>(0), r.Get<Guid>(1), r.Get<DateTime>(2), r.Get<string>(3) ?? "", r.Get<string>(4) ?? "", r.Get<string>(5) ?? "", r.Get<string>(6) ?? "completed",
            r.Get<int>(7), r.Get<int?>(8), r.Get<int?>(9), r.Get<decimal?>(10), r.Get<bool>(11), r.Get<string>(12), r.Get<string>(13), r.Get<bool>(14), r.Get<string>(15));
    }
}
