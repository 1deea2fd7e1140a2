using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary><c>code4me-lsp user create</c> and <c>data export|delete|purge</c> in process against real PostgreSQL.</summary>
public sealed class DataRightsCommandTests
{
    private const string Email = "graph@example.org";

    private const string CountsSql = """
        SELECT (SELECT count(*) FROM "user") || ' users, ' || (SELECT count(*) FROM meta_query) || ' queries, '
            || (SELECT count(*) FROM context) || ' contexts, ' || (SELECT count(*) FROM contextual_telemetry) || ' contextual, '
            || (SELECT count(*) FROM behavioral_telemetry) || ' behavioral, ' || (SELECT count(*) FROM had_generation) || ' generations, '
            || (SELECT count(*) FROM ground_truth) || ' truths, ' || (SELECT count(*) FROM session) || ' sessions, '
            || (SELECT count(*) FROM chat) || ' chats, ' || (SELECT count(*) FROM user_consent) || ' consents'
        """;

    private const string FullGraph = "1 users, 2 queries, 1 contexts, 1 contextual, 1 behavioral, 1 generations, 1 truths, 2 sessions, 1 chats, 1 consents";

    [Fact]
    public async Task UserCreate_PasswordOnStdin_StoresArgon2idAndPrintsTheTokenOnce()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();

        var result = await CliRunner.RunWithInputAsync("Correct-Horse-9\n", "user", "create", "--email", "ada@example.org", "--name", "Ada", "--database", db.ConnectionString);

        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        var token = Guid.Parse(result.Out.Split("shown once, keep it secret): ")[1].Trim());
        var id = await new UserRepository(db.DataSource).FindByAuthTokenAsync(token, TimeoutToken.Create());
        Assert.Equal(id, await new UserRepository(db.DataSource).VerifyPasswordAsync("ada@example.org", "Correct-Horse-9", TimeoutToken.Create()));
        Assert.DoesNotContain("Correct-Horse-9", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "No password on stdin")]
    [InlineData("short\n", "password")]
    public async Task UserCreate_MissingOrWeakPassword_FailsAndCreatesNothing(string stdin, string expected)
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();

        var result = await CliRunner.RunWithInputAsync(stdin, "user", "create", "--email", "ada@example.org", "--name", "Ada", "--database", db.ConnectionString);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM \"user\""));
    }

    [Fact]
    public async Task ExportDeleteExport_FullDeletion_LeavesNothingOfTheUserButAuditRecords()
    {
        await using var db = await GraphDatabaseAsync();

        var export = await CliRunner.RunWithInputAsync("", "data", "export", "--user", Email.ToUpperInvariant(), "--database", db.ConnectionString);
        var delete = await CliRunner.RunWithInputAsync("", "data", "delete", "--user", TelemetryGraph.UserId.ToString(), "--database", db.ConnectionString);
        var again = await CliRunner.RunWithInputAsync("", "data", "export", "--user", Email, "--database", db.ConnectionString);

        Assert.Equal((0, ""), (export.ExitCode, export.Error));
        using (var json = JsonDocument.Parse(export.Out))
        {
            var root = json.RootElement;
            Assert.Equal("Graph", root.GetProperty("user").GetProperty("name").GetString());
            Assert.False(root.GetProperty("user").TryGetProperty("password", out _));
            Assert.False(root.GetProperty("user").TryGetProperty("auth_token", out _));
            Assert.Equal(2, root.GetProperty("queries").GetArrayLength());
            Assert.Equal(2, root.GetProperty("sessions").GetArrayLength());
            Assert.Contains(root.GetProperty("queries").EnumerateArray(), q => q.GetProperty("context").GetProperty("prefix").GetString() == "def f(");
            // The ids as stored, not the columns PostgreSQL generates from them (0016).
            Assert.All(root.GetProperty("queries").EnumerateArray(), q => Assert.Equal(
                (true, false), (q.TryGetProperty("context_id", out _), q.EnumerateObject().Any(p => p.Name.EndsWith("_month", StringComparison.Ordinal)))));
            Assert.True(root.GetProperty("consent").GetProperty("anonymous_telemetry_opt_in").GetBoolean());
            var chat = Assert.Single(root.GetProperty("chats").EnumerateArray());
            Assert.Equal("be brief", chat.GetProperty("system_prompt").GetString());
            Assert.Equal("truncation", Assert.Single(chat.GetProperty("context_optimizations").EnumerateArray()).GetProperty("optimization_type").GetString());
        }

        Assert.Equal((0, ""), (delete.ExitCode, delete.Error));
        Assert.Equal("0 users, 0 queries, 0 contexts, 0 contextual, 0 behavioral, 0 generations, 0 truths, 0 sessions, 0 chats, 0 consents", await db.ScalarAsync<string>(CountsSql));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"No user has the id or e-mail address '{Email}'", again.Error, StringComparison.Ordinal);

        using var after = JsonDocument.Parse(await new UserDataRepository(db.DataSource).ExportAsync(TelemetryGraph.UserId, TimeoutToken.Create()));
        Assert.Equal(JsonValueKind.Null, after.RootElement.GetProperty("user").ValueKind);
        foreach (var section in new[] { "projects", "sessions", "chats", "queries" })
        {
            Assert.Equal(0, after.RootElement.GetProperty(section).GetArrayLength());
        }

        Assert.Contains(after.RootElement.GetProperty("audit_log").EnumerateArray(), a => a.GetProperty("action").GetString() == "user_deleted_with_data");
    }

    [Fact]
    public async Task Delete_KeepAnonymised_KeepsTheQueriesWithoutAUser()
    {
        await using var db = await GraphDatabaseAsync();

        var result = await CliRunner.RunWithInputAsync("", "data", "delete", "--user", Email, "--keep-anonymised", "--database", db.ConnectionString);

        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.Contains("2 queries kept without a user", result.Out, StringComparison.Ordinal);
        Assert.Equal("0 users, 2 queries, 1 contexts, 1 contextual, 1 behavioral, 1 generations, 1 truths, 2 sessions, 1 chats, 0 consents", await db.ScalarAsync<string>(CountsSql));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM meta_query WHERE user_id IS NOT NULL"));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM session WHERE user_id IS NOT NULL"));
        Assert.Equal("deletion/user_deleted_queries_anonymised", await db.ScalarAsync<string>(
            "SELECT event_type || '/' || action FROM audit_log WHERE user_id = @Id AND event_type = 'deletion'", new { Id = TelemetryGraph.UserId }));
    }

    [Fact]
    public async Task Delete_FailingHalfWay_ChangesNothing()
    {
        await using var db = await GraphDatabaseAsync();
        // The audit row is written last, after every DELETE: make it fail.
        await db.ExecuteAsync("""
            CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$;
            CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();
            """);

        var result = await CliRunner.RunWithInputAsync("", "data", "delete", "--user", Email, "--database", db.ConnectionString);

        Assert.Equal(1, result.ExitCode);
        Assert.NotEmpty(result.Error);
        Assert.Equal(FullGraph, await db.ScalarAsync<string>(CountsSql));
    }

    [Theory]
    [InlineData("data", "export", "--user", "nobody@example.org")]
    [InlineData("data", "delete", "--user", "00000000-0000-7000-8000-0000000000ff")]
    [InlineData("data", "delete", "--user", "not-an-id-or-address")]
    [InlineData("data", "purge", "--older-than", "90x")]
    [InlineData("data", "purge", "--older-than", "0d")]
    public async Task DataCommand_BadInput_FailsClearlyAndChangesNothing(params string[] args)
    {
        await using var db = await GraphDatabaseAsync();

        var result = await CliRunner.RunWithInputAsync("", [.. args, "--database", db.ConnectionString]);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches("No user has|--older-than takes", result.Error);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.Equal(FullGraph, await db.ScalarAsync<string>(CountsSql));
    }

    [Fact]
    public async Task Purge_OlderThan_DeletesOnlyOlderQueriesAndIsAudited()
    {
        await using var db = await GraphDatabaseAsync();
        await db.ExecuteAsync("UPDATE meta_query SET \"timestamp\" = now() - interval '100 days' WHERE meta_query_id = @Id", new { Id = TelemetryGraph.CompletionQueryId });

        var result = await CliRunner.RunWithInputAsync("", "data", "purge", "--older-than", "90d", "--database", db.ConnectionString);

        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        Assert.Contains("Purged 1 queries", result.Out, StringComparison.Ordinal);
        // The chat query still uses the shared context and telemetry rows, so they stay.
        Assert.Equal("1 users, 1 queries, 1 contexts, 1 contextual, 1 behavioral, 0 generations, 0 truths, 2 sessions, 1 chats, 1 consents", await db.ScalarAsync<string>(CountsSql));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'retention_purge' AND user_id IS NULL"));
    }

    private static async Task<TestDatabase> GraphDatabaseAsync()
    {
        var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        await using var transaction = await connection.BeginTransactionAsync(TimeoutToken.Create());
        await TelemetryGraph.InsertAsync(connection, transaction);
        await transaction.CommitAsync(TimeoutToken.Create());
        return db;
    }
}
