using Code4me.Lsp.IntegrationTests.Support;
using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>Foreign keys, CHECKs and the meta_query inheritance, on a database at the latest version.</summary>
public sealed class SchemaConstraintTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>
{
    private const string Restrict = "restrict";

    /// <summary>
    /// Every foreign key: the delete of its parent row, and what must follow. For CASCADE and SET NULL
    /// the observation counts the child rows in the state the document gives (expected "0" or "1");
    /// for RESTRICT the delete must fail with 23503 on that very constraint.
    /// </summary>
    public static TheoryData<string, string, string, string> ForeignKeys() => new()
    {
        { "user_config_id_fkey", "DELETE FROM config WHERE config_id = @ConfigId", "", Restrict },
        { "project_users_project_id_fkey", "DELETE FROM project WHERE project_id = @ProjectId", "SELECT count(*) FROM project_users WHERE project_id = @ProjectId", "0" },
        { "project_users_user_id_fkey", "DELETE FROM \"user\" WHERE user_id = @UserId", "SELECT count(*) FROM project_users WHERE user_id = @UserId", "0" },
        { "session_user_id_fkey", "DELETE FROM \"user\" WHERE user_id = @UserId", "SELECT count(*) FROM session WHERE session_id = @SessionId AND user_id IS NULL", "1" },
        { "session_projects_session_id_fkey", "DELETE FROM session WHERE session_id = @Session2Id", "SELECT count(*) FROM session_projects WHERE session_id = @Session2Id", "0" },
        { "session_projects_project_id_fkey", "DELETE FROM project WHERE project_id = @ProjectId", "SELECT count(*) FROM session_projects WHERE project_id = @ProjectId", "0" },
        { "chat_project_id_fkey", "DELETE FROM project WHERE project_id = @ProjectId", "SELECT count(*) FROM chat WHERE chat_id = @ChatId", "0" },
        { "chat_user_id_fkey", "DELETE FROM \"user\" WHERE user_id = @UserId", "SELECT count(*) FROM chat WHERE chat_id = @ChatId AND user_id IS NULL", "1" },
        { "contextual_telemetry_version_id_fkey", "DELETE FROM plugin_version WHERE version_id = @VersionId", "", Restrict },
        { "contextual_telemetry_trigger_type_id_fkey", "DELETE FROM trigger_type WHERE trigger_type_id = @TriggerTypeId", "", Restrict },
        { "contextual_telemetry_language_id_fkey", "DELETE FROM programming_language WHERE language_id = @LanguageId", "", Restrict },
        { "meta_query_user_id_fkey", "DELETE FROM \"user\" WHERE user_id = @UserId", "SELECT count(*) FROM meta_query WHERE meta_query_id = @CompletionQueryId AND user_id IS NULL", "1" },
        { "meta_query_contextual_telemetry_id_fkey", "DELETE FROM contextual_telemetry WHERE contextual_telemetry_id = @ContextualId", "", Restrict },
        { "meta_query_behavioral_telemetry_id_fkey", "DELETE FROM behavioral_telemetry WHERE behavioral_telemetry_id = @BehavioralId", "", Restrict },
        { "meta_query_context_id_fkey", "DELETE FROM context WHERE context_id = @ContextId", "", Restrict },
        // 0016: a query naming a row of another month than its own is held by the other-month keys.
        { "meta_query_contextual_telemetry_id_other_month_fkey", OtherMonth("contextual_telemetry", "contextual_telemetry_id", "version_id, trigger_type_id, language_id", "@VersionId, @TriggerTypeId, @LanguageId"), "", Restrict },
        { "meta_query_behavioral_telemetry_id_other_month_fkey", OtherMonth("behavioral_telemetry", "behavioral_telemetry_id", "typing_speed", "1"), "", Restrict },
        { "meta_query_context_id_other_month_fkey", OtherMonth("context", "context_id", "prefix", "'x'"), "", Restrict },
        { "meta_query_session_id_fkey", "DELETE FROM session WHERE session_id = @SessionId", "", Restrict },
        { "meta_query_project_id_fkey", "DELETE FROM project WHERE project_id = @ProjectId", "SELECT count(*) FROM meta_query WHERE project_id = @ProjectId", "0" },
        { "completion_query_meta_query_fkey", "DELETE FROM meta_query WHERE meta_query_id = @CompletionQueryId", "SELECT count(*) FROM completion_query WHERE meta_query_id = @CompletionQueryId", "0" },
        { "chat_query_meta_query_fkey", "DELETE FROM meta_query WHERE meta_query_id = @ChatQueryId", "SELECT count(*) FROM chat_query WHERE meta_query_id = @ChatQueryId", "0" },
        { "chat_query_chat_id_fkey", "DELETE FROM chat WHERE chat_id = @ChatId", "SELECT count(*) FROM chat_query WHERE meta_query_id = @ChatQueryId", "0" },
        { "had_generation_meta_query_id_fkey", "DELETE FROM meta_query WHERE meta_query_id = @CompletionQueryId", "SELECT count(*) FROM had_generation WHERE meta_query_id = @CompletionQueryId", "0" },
        { "had_generation_model_id_fkey", "DELETE FROM model_name WHERE model_id = @ModelId", "", Restrict },
        { "ground_truth_completion_query_id_fkey", "DELETE FROM completion_query WHERE meta_query_id = @CompletionQueryId", "SELECT count(*) FROM ground_truth WHERE completion_query_id = @CompletionQueryId", "0" },
        { "user_preferences_user_id_fkey", "DELETE FROM \"user\" WHERE user_id = @UserId", "SELECT count(*) FROM user_preferences WHERE user_id = @UserId", "0" },
        { "user_preferences_model_id_fkey", "DELETE FROM model_name WHERE model_id = @Model2Id", "SELECT count(*) FROM user_preferences WHERE user_id = @UserId AND model_id IS NULL", "1" },
        { "generation_feedback_generation_fkey", "DELETE FROM had_generation WHERE meta_query_id = @CompletionQueryId", "SELECT count(*) FROM generation_feedback WHERE meta_query_id = @CompletionQueryId", "0" },
        { "completion_retention_generation_fkey", "DELETE FROM had_generation WHERE meta_query_id = @CompletionQueryId", "SELECT count(*) FROM completion_retention WHERE meta_query_id = @CompletionQueryId", "0" },
        { "chat_model_id_fkey", "DELETE FROM model_name WHERE model_id = @Model3Id", "", Restrict },
        { "chat_session_id_fkey", "DELETE FROM session WHERE session_id = @Session2Id", "SELECT count(*) FROM chat WHERE chat_id = @ChatId AND session_id IS NULL", "1" },
        { "chat_context_optimization_chat_id_fkey", "DELETE FROM chat WHERE chat_id = @ChatId", "SELECT count(*) FROM chat_context_optimization WHERE chat_id = @ChatId", "0" },
        { "chat_context_optimization_meta_query_id_fkey", "DELETE FROM chat_query WHERE meta_query_id = @ChatQueryId", "SELECT count(*) FROM chat_context_optimization WHERE meta_query_id = @ChatQueryId", "0" },
        { "user_consent_user_id_fkey", "DELETE FROM \"user\" WHERE user_id = @UserId", "SELECT count(*) FROM user_consent WHERE user_id = @UserId", "0" },
        { "study_participant_study_id_fkey", "DELETE FROM study WHERE name = 'graph study'", "SELECT count(*) FROM study_participant WHERE user_id = @UserId", "0" },
        { "study_participant_user_id_fkey", "DELETE FROM \"user\" WHERE user_id = @UserId", "SELECT count(*) FROM study_participant WHERE user_id = @UserId", "0" },
    };

    /// <summary>
    /// A row of <paramref name="table"/> of February 1970 (the graph's ids are of January 1970), the chat query pointed at it,
    /// then the row deleted.
    /// </summary>
    private static string OtherMonth(string table, string column, string columns, string values) => $"""
        INSERT INTO {table} ({column}, {columns}) VALUES ('0000a000-0000-7000-8000-0000000000b1', {values});
        UPDATE meta_query SET {column} = '0000a000-0000-7000-8000-0000000000b1' WHERE meta_query_id = @ChatQueryId;
        DELETE FROM {table} WHERE {column} = '0000a000-0000-7000-8000-0000000000b1'
        """;

    [Fact]
    public async Task ForeignKeys_InTheDatabase_AreEachCoveredByACase()
    {
        var cases = ForeignKeys().Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToList();

        // Declared keys only: a partitioned table's partitions carry clones (conparentid set, 0011), and a month key
        // (0014) is declared on every partition under one name.
        var declared = await QueryAsync<string>("SELECT DISTINCT conname COLLATE \"C\" FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 ORDER BY 1");

        Assert.Equal(cases, declared);
    }

    [Theory]
    [MemberData(nameof(ForeignKeys))]
    public async Task ForeignKey_ParentDeleted_BehavesAsTheDocumentSays(string constraint, string deleteSql, string observeSql, string expected)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        await using var transaction = await connection.BeginTransactionAsync(TimeoutToken.Create());
        var ids = await TelemetryGraph.InsertAsync(connection, transaction);

        if (expected == Restrict)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(
                () => connection.ExecuteAsync(new CommandDefinition(deleteSql, ids, transaction, cancellationToken: TimeoutToken.Create())));
            Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
            // A key referencing a partitioned table (0011) is reported by its clone for the partition; the clone's parent is the key.
            Assert.Equal(constraint, await fixture.Database.ScalarAsync<string>(
                "SELECT coalesce(p.conname, c.conname) FROM pg_constraint c LEFT JOIN pg_constraint p ON p.oid = c.conparentid WHERE c.conname = @Name AND c.conrelid = @Table::regclass",
                new { Name = error.ConstraintName, Table = error.TableName }));
            return;
        }

        var deleted = await connection.ExecuteAsync(new CommandDefinition(deleteSql, ids, transaction, cancellationToken: TimeoutToken.Create()));
        var observed = await connection.ExecuteScalarAsync<long>(new CommandDefinition(observeSql, ids, transaction, cancellationToken: TimeoutToken.Create()));

        Assert.Equal(1, deleted);
        Assert.Equal(expected, observed.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task PerEventTableKeys_AreDeferrableButCheckedAtEachStatementUnlessDeferred()
    {
        // Migration 0008: the telemetry writer defers these keys to COMMIT (twelve, fifteen once 0016 split three); nobody else does.
        Assert.Equal(
            [
                "completion_query_meta_query_fkey", "contextual_telemetry_language_id_fkey", "contextual_telemetry_trigger_type_id_fkey",
                "contextual_telemetry_version_id_fkey", "had_generation_meta_query_id_fkey", "had_generation_model_id_fkey",
                "meta_query_behavioral_telemetry_id_fkey", "meta_query_behavioral_telemetry_id_other_month_fkey", "meta_query_context_id_fkey",
                "meta_query_context_id_other_month_fkey", "meta_query_contextual_telemetry_id_fkey", "meta_query_contextual_telemetry_id_other_month_fkey",
                "meta_query_project_id_fkey", "meta_query_session_id_fkey", "meta_query_user_id_fkey",
            ],
            await QueryAsync<string>("SELECT DISTINCT conname COLLATE \"C\" FROM pg_constraint WHERE condeferrable AND conparentid = 0 ORDER BY 1"));
        Assert.Empty(await QueryAsync<string>("SELECT conname FROM pg_constraint WHERE condeferred"));

        const string BrokenKey = "INSERT INTO had_generation (meta_query_id, model_id, completion, generation_time, confidence) VALUES (@CompletionQueryId, -42, 'x', 1, 0.5)";
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        await using (var transaction = await connection.BeginTransactionAsync(TimeoutToken.Create()))
        {
            var ids = await TelemetryGraph.InsertAsync(connection, transaction);
            var immediate = await Assert.ThrowsAsync<PostgresException>(
                () => connection.ExecuteAsync(new CommandDefinition(BrokenKey, ids, transaction, cancellationToken: TimeoutToken.Create())));
            Assert.Equal(("had_generation_model_id_fkey", PostgresErrorCodes.ForeignKeyViolation), (immediate.ConstraintName, immediate.SqlState));
        }

        await using (var transaction = await connection.BeginTransactionAsync(TimeoutToken.Create()))
        {
            await connection.ExecuteAsync(new CommandDefinition("SET CONSTRAINTS ALL DEFERRED", transaction: transaction, cancellationToken: TimeoutToken.Create()));
            var ids = await TelemetryGraph.InsertAsync(connection, transaction);
            await connection.ExecuteAsync(new CommandDefinition(BrokenKey, ids, transaction, cancellationToken: TimeoutToken.Create()));
            var atCommit = await Assert.ThrowsAsync<PostgresException>(() => transaction.CommitAsync(TimeoutToken.Create()));
            Assert.Equal(("had_generation_model_id_fkey", PostgresErrorCodes.ForeignKeyViolation), (atCommit.ConstraintName, atCommit.SqlState));
        }
    }

    [Fact]
    public async Task User_Deleted_AuditLogKeepsTheEvent()
    {
        var remaining = await InGraphAsync(
            "DELETE FROM \"user\" WHERE user_id = @UserId",
            "SELECT count(*) FROM audit_log WHERE user_id = @UserId");

        Assert.Equal(1, remaining);
    }

    [Theory]
    [InlineData("INSERT INTO meta_query (meta_query_id, contextual_telemetry_id, behavioral_telemetry_id, context_id, session_id, project_id, \"timestamp\", query_type) VALUES (gen_random_uuid(), @ContextualId, @BehavioralId, @ContextId, @SessionId, @ProjectId, now(), 'refactor')", "meta_query_query_type_check")]
    [InlineData("INSERT INTO completion_query (meta_query_id, query_type) VALUES (@ChatQueryId, 'chat')", "completion_query_query_type_check")]
    [InlineData("INSERT INTO \"user\" (email, name, password) VALUES ('plain@example.org', 'Plain', 'Secret-password-1')", "user_password_is_argon2id")]
    [InlineData("UPDATE had_generation SET mistake_note = 'wrong' WHERE meta_query_id = @CompletionQueryId", "had_generation_mistake_note_check")]
    [InlineData("UPDATE contextual_telemetry SET relative_document_position = 1.5 WHERE contextual_telemetry_id = @ContextualId", "contextual_telemetry_relative_document_position_check")]
    [InlineData("INSERT INTO audit_log (event_type, action) VALUES ('login', 'x')", "audit_log_event_type_check")]
    [InlineData("INSERT INTO generation_feedback (event_id, meta_query_id, model_id, kind, occurred_at) VALUES (gen_random_uuid(), @CompletionQueryId, @ModelId, 'partially_accepted', now())", "generation_feedback_accepted_length_check")]
    [InlineData("INSERT INTO generation_feedback (event_id, meta_query_id, model_id, kind, occurred_at) VALUES (gen_random_uuid(), @CompletionQueryId, @ModelId, 'shown', now())", "generation_feedback_kind_check")]
    [InlineData("UPDATE chat_query SET outcome = 'aborted' WHERE meta_query_id = @ChatQueryId", "chat_query_outcome_check")]
    [InlineData("UPDATE had_generation SET cost = -1 WHERE meta_query_id = @CompletionQueryId", "had_generation_cost_check")]
    [InlineData("UPDATE chat_context_optimization SET optimization_type = 'summarization' WHERE chat_id = @ChatId", "chat_context_optimization_summary_check")]
    [InlineData("UPDATE completion_retention SET retained_chars = 4 WHERE meta_query_id = @CompletionQueryId", "completion_retention_retained_chars_check")]
    public async Task Check_ValueOutsideTheRule_IsRejected(string sql, string constraint)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => InGraphAsync(sql, observeSql: null));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Equal(constraint, error.ConstraintName);
    }

    [Theory]
    [InlineData("INSERT INTO chat_query (meta_query_id, chat_id) VALUES (@CompletionQueryId, @ChatId)")]
    [InlineData("INSERT INTO completion_query (meta_query_id) VALUES (@ChatQueryId)")]
    public async Task ChildQuery_PointingAtAParentOfTheOtherType_IsRejected(string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => InGraphAsync(sql, observeSql: null));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        Assert.EndsWith("_meta_query_fkey", error.ConstraintName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_SameAddressOtherCase_IsADuplicate()
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => InGraphAsync(
            "INSERT INTO \"user\" (email, name, password) VALUES ('GRAPH@example.org', 'Twin', '$argon2id$v=19$x')", observeSql: null));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal("user_email_key", error.ConstraintName);
    }

    [Fact]
    public async Task ReferenceTables_AfterMigration_HoldTheSeededRows()
    {
        var triggers = await QueryAsync<string>("SELECT trigger_type_name FROM trigger_type ORDER BY trigger_type_id");
        var languages = await QueryAsync<string>("SELECT language_name FROM programming_language");

        Assert.Equal(["manual", "auto", "idle"], triggers);
        Assert.Contains("python", languages);
        Assert.Contains("typescriptreact", languages);
        Assert.Contains("shellscript", languages);
    }

    private async Task<long> InGraphAsync(string sql, string? observeSql)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        await using var transaction = await connection.BeginTransactionAsync(TimeoutToken.Create());
        var ids = await TelemetryGraph.InsertAsync(connection, transaction);
        await connection.ExecuteAsync(new CommandDefinition(sql, ids, transaction, cancellationToken: TimeoutToken.Create()));
        return observeSql is null ? 0
            : await connection.ExecuteScalarAsync<long>(new CommandDefinition(observeSql, ids, transaction, cancellationToken: TimeoutToken.Create()));
    }

    private async Task<List<T>> QueryAsync<T>(string sql)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, cancellationToken: TimeoutToken.Create()))];
    }
}
