using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Reference;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Chat;

/// <summary>
/// Chats in the Code4me V2 schema: <c>chat</c>; per exchange <c>context</c> (the user's message as <c>prefix</c>, the
/// file name and the selected text), <c>contextual_telemetry</c> (trigger <c>manual</c>), an empty
/// <c>behavioral_telemetry</c>, <c>meta_query</c> (type <c>chat</c>), <c>chat_query</c> and one <c>had_generation</c>
/// (the reply, its time, token counts when the provider reported them, the mistake mark). The <c>session</c> is this
/// server's <see cref="TelemetrySession"/>; the <c>project</c> is the first workspace folder (one row per session and
/// folder, with a deterministic id). Reading needs SELECT on these tables, which <c>code4me_writer</c> does not have:
/// connect with a role that may read its own user's chats. Every read and change is filtered by <c>user_id</c>.
/// </summary>
internal sealed class PostgresChatStore(
    NpgsqlDataSource dataSource,
    ReferenceData references,
    TelemetrySession session,
    EditorSession editor,
    IOptionsMonitor<ChatOptions> options) : IChatStore, IDisposable
{
    private const string EnsureSessionSql = """
        INSERT INTO session (session_id, user_id, start_time) VALUES (@SessionId, @UserId, @Now) ON CONFLICT (session_id) DO NOTHING;
        INSERT INTO project (project_id, project_name) VALUES (@ProjectId, @ProjectName) ON CONFLICT (project_id) DO NOTHING;
        INSERT INTO session_projects (session_id, project_id) VALUES (@SessionId, @ProjectId) ON CONFLICT DO NOTHING;
        """;

    private const string InsertChatSql = """
        INSERT INTO chat (chat_id, project_id, user_id, title, created_at) VALUES (@ChatId, @ProjectId, @UserId, @Title, @CreatedAt)
        """;

    private const string InsertExchangeSql = """
        INSERT INTO context (context_id, prefix, suffix, file_name, selected_text) VALUES (@ContextId, @Message, NULL, @FileName, @SelectedText);
        INSERT INTO contextual_telemetry (contextual_telemetry_id, version_id, trigger_type_id, language_id, file_path)
            VALUES (@ContextualId, @VersionId, @TriggerTypeId, @LanguageId, @FileName);
        INSERT INTO behavioral_telemetry (behavioral_telemetry_id) VALUES (@BehavioralId);
        INSERT INTO meta_query (meta_query_id, user_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id,
                                "timestamp", total_serving_time, query_type)
            VALUES (@QueryId, @UserId, @ContextualId, @BehavioralId, @ContextId, @SessionId, @ProjectId, @Timestamp, @GenerationTime, 'chat');
        INSERT INTO chat_query (meta_query_id, chat_id, web_enabled) VALUES (@QueryId, @ChatId, @WebEnabled);
        INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, confidence, prompt_tokens, completion_tokens)
            VALUES (@QueryId, @ModelId, @Reply, @GenerationTime, 0, @PromptTokens, @CompletionTokens);
        """;

    private const string FindChatSql = """
        SELECT chat_id AS ChatId, user_id AS UserId, title AS Title, created_at AS CreatedAt,
               (SELECT mn.model_name FROM chat_query cq JOIN had_generation hg USING (meta_query_id) JOIN model_name mn USING (model_id)
                WHERE cq.chat_id = chat.chat_id ORDER BY hg.meta_query_id LIMIT 1) AS Model
        FROM chat WHERE chat_id = @ChatId AND user_id IS NOT DISTINCT FROM @UserId
        """;

    private const string ListChatsSql = """
        SELECT chat_id AS ChatId, user_id AS UserId, title AS Title, created_at AS CreatedAt, NULL AS Model
        FROM chat WHERE user_id IS NOT DISTINCT FROM @UserId
        ORDER BY created_at DESC, chat_id DESC
        LIMIT @Limit OFFSET @Offset
        """;

    private const string ExchangesSql = """
        SELECT mq.meta_query_id AS QueryId, cq.chat_id AS ChatId, mq.user_id AS UserId, mq."timestamp" AS Timestamp,
               coalesce(c.prefix, '') AS Message, hg.completion AS Reply, mn.model_name AS Model, hg.generation_time AS GenerationTime,
               hg.prompt_tokens AS PromptTokens, hg.completion_tokens AS CompletionTokens, cq.web_enabled AS WebEnabled,
               c.file_name AS FileName, c.selected_text AS SelectedText, hg.is_mistake AS IsMistake, hg.mistake_note AS MistakeNote
        FROM chat_query cq
        JOIN chat ch ON ch.chat_id = cq.chat_id
        JOIN meta_query mq ON mq.meta_query_id = cq.meta_query_id
        JOIN context c ON c.context_id = mq.context_id
        JOIN had_generation hg ON hg.meta_query_id = mq.meta_query_id
        JOIN model_name mn ON mn.model_id = hg.model_id
        WHERE cq.chat_id = @ChatId AND ch.user_id IS NOT DISTINCT FROM @UserId
        ORDER BY mq."timestamp", mq.meta_query_id
        """;

    private const string RenameSql = """
        UPDATE chat SET title = @Title WHERE chat_id = @ChatId AND user_id IS NOT DISTINCT FROM @UserId
        """;

    private const string LockOwnedChatSql = """
        SELECT 1 FROM chat WHERE chat_id = @ChatId AND user_id IS NOT DISTINCT FROM @UserId FOR UPDATE
        """;

    // meta_query rows of the chat go first (cascading chat_query and had_generation), then the rows they pointed at,
    // so deleting a chat removes the user's messages, not only the link to them.
    private const string DeleteChatSql = """
        CREATE TEMP TABLE deleted_chat_rows ON COMMIT DROP AS
            WITH gone AS (
                DELETE FROM meta_query m USING chat_query cq
                WHERE cq.meta_query_id = m.meta_query_id AND cq.chat_id = @ChatId
                RETURNING m.context_id, m.contextual_telemetry_id, m.behavioral_telemetry_id)
            SELECT * FROM gone;
        DELETE FROM context WHERE context_id IN (SELECT context_id FROM deleted_chat_rows);
        DELETE FROM contextual_telemetry WHERE contextual_telemetry_id IN (SELECT contextual_telemetry_id FROM deleted_chat_rows);
        DELETE FROM behavioral_telemetry WHERE behavioral_telemetry_id IN (SELECT behavioral_telemetry_id FROM deleted_chat_rows);
        DELETE FROM chat WHERE chat_id = @ChatId;
        """;

    private const string FeedbackSql = """
        UPDATE had_generation hg SET is_mistake = @IsMistake, mistake_note = @Note
        FROM chat_query cq JOIN chat ch ON ch.chat_id = cq.chat_id
        WHERE hg.meta_query_id = @QueryId AND cq.meta_query_id = hg.meta_query_id AND cq.chat_id = @ChatId
          AND ch.user_id IS NOT DISTINCT FROM @UserId
        """;

    private readonly SemaphoreSlim _ensured = new(1, 1);
    private bool _sessionWritten;

    public async Task CreateChatAsync(ChatRecord chat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var (projectId, _) = Project();
        await EnsureSessionAsync(chat.UserId, chat.CreatedAt, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertChatSql, new { chat.ChatId, ProjectId = projectId, chat.UserId, chat.Title, chat.CreatedAt }, cancellationToken: cancellationToken));
    }

    public async Task<ChatRecord?> FindChatAsync(Guid chatId, Guid? userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ChatRow>(new CommandDefinition(FindChatSql, new { ChatId = chatId, UserId = userId }, cancellationToken: cancellationToken));
        return row is null ? null : ToRecord(row);
    }

    public async Task<ChatPage> ListChatsAsync(Guid? userId, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ChatRow>(new CommandDefinition(
            ListChatsSql, new { UserId = userId, Limit = pageSize + 1, Offset = page * pageSize }, cancellationToken: cancellationToken))).ToList();
        return new ChatPage([.. rows.Take(pageSize).Select(ToRecord)], rows.Count > pageSize ? page + 1 : null);
    }

    public async Task<IReadOnlyList<ChatExchange>> GetExchangesAsync(Guid chatId, Guid? userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExchangeRow>(new CommandDefinition(ExchangesSql, new { ChatId = chatId, UserId = userId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new ChatExchange(
            r.QueryId, r.ChatId, r.UserId, new DateTimeOffset(DateTime.SpecifyKind(r.Timestamp, DateTimeKind.Utc)), r.Message, r.Reply, r.Model,
            ChatOutcome.Completed, r.GenerationTime, r.PromptTokens ?? 0, r.CompletionTokens ?? 0, r.PromptTokens is null, null, 0,
            r.WebEnabled, r.FileName, r.SelectedText, r.IsMistake, r.MistakeNote))];
    }

    public async Task AddExchangeAsync(ChatExchange exchange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var (projectId, _) = Project();
        var versionId = await references.GetPluginVersionIdAsync(editor.ClientVersion ?? "unknown", editor.ClientName ?? "unknown", null, cancellationToken);
        var triggerTypeId = await references.GetTriggerTypeIdAsync("manual", cancellationToken);
        var languageId = await references.GetLanguageIdAsync(exchange.LanguageId ?? "plaintext", cancellationToken);
        var modelId = await references.GetModelIdAsync(exchange.Model, isInstructionTuned: true, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertExchangeSql, new
            {
                ContextId = Guid.CreateVersion7(exchange.Timestamp),
                ContextualId = Guid.CreateVersion7(exchange.Timestamp),
                BehavioralId = Guid.CreateVersion7(exchange.Timestamp),
                exchange.QueryId,
                exchange.ChatId,
                exchange.UserId,
                exchange.Message,
                exchange.Reply,
                exchange.FileName,
                exchange.SelectedText,
                exchange.Timestamp,
                GenerationTime = exchange.GenerationTimeMs,
                exchange.WebEnabled,
                SessionId = session.SessionId,
                ProjectId = projectId,
                VersionId = versionId,
                TriggerTypeId = triggerTypeId,
                LanguageId = languageId,
                ModelId = modelId,
                PromptTokens = exchange.UsageEstimated ? (int?)null : exchange.PromptTokens,
                CompletionTokens = exchange.UsageEstimated ? (int?)null : exchange.CompletionTokens,
            }, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation && e.ConstraintName == "chat_query_chat_id_fkey")
        {
            // The chat was deleted while its reply streamed; the exchange goes with it (the statement rolled back).
        }
    }

    public async Task<bool> RenameChatAsync(Guid chatId, Guid? userId, string title, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(RenameSql, new { ChatId = chatId, UserId = userId, Title = title }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> DeleteChatAsync(Guid chatId, Guid? userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var owned = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(LockOwnedChatSql, new { ChatId = chatId, UserId = userId }, transaction, cancellationToken: cancellationToken));
        if (owned is null)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(DeleteChatSql, new { ChatId = chatId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> SetFeedbackAsync(Guid chatId, Guid queryId, Guid? userId, bool isMistake, string? note, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            FeedbackSql, new { ChatId = chatId, QueryId = queryId, UserId = userId, IsMistake = isMistake, Note = isMistake ? note : null }, cancellationToken: cancellationToken)) > 0;
    }

    public void Dispose() => _ensured.Dispose();

    private async Task EnsureSessionAsync(Guid? userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _ensured.WaitAsync(cancellationToken);
        try
        {
            if (_sessionWritten)
            {
                return;
            }

            var (projectId, projectName) = Project();
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                EnsureSessionSql, new { session.SessionId, UserId = userId, Now = now, ProjectId = projectId, ProjectName = projectName }, cancellationToken: cancellationToken));
            _sessionWritten = true;
        }
        finally
        {
            _ensured.Release();
        }
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
        return new ChatRecord(
            row.ChatId, row.UserId, row.Title, new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
            settings.Endpoint ?? "", row.Model ?? settings.Model ?? "", settings.SystemPrompt, settings.ContextWindowTokens);
    }

    private sealed class ChatRow
    {
        public Guid ChatId { get; init; }

        public Guid? UserId { get; init; }

        public string Title { get; init; } = "";

        public DateTime CreatedAt { get; init; }

        public string? Model { get; init; }
    }

    private sealed class ExchangeRow
    {
        public Guid QueryId { get; init; }

        public Guid ChatId { get; init; }

        public Guid? UserId { get; init; }

        public DateTime Timestamp { get; init; }

        public string Message { get; init; } = "";

        public string Reply { get; init; } = "";

        public string Model { get; init; } = "";

        public int GenerationTime { get; init; }

        public int? PromptTokens { get; init; }

        public int? CompletionTokens { get; init; }

        public bool WebEnabled { get; init; }

        public string? FileName { get; init; }

        public string? SelectedText { get; init; }

        public bool IsMistake { get; init; }

        public string? MistakeNote { get; init; }
    }
}
