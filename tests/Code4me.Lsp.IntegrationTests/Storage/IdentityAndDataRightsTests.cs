using System.Security.Cryptography;
using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.IntegrationTests.Telemetry;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Code4me.Lsp.Storage.Postgres.Users;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary>
/// The anonymous installation id on the session row, data rights by installation, export audited as an export,
/// and what happens to events still spooled for an account that was deleted — against real PostgreSQL.
/// </summary>
public sealed class IdentityAndDataRightsTests
{
    private const string CountsSql = """
        SELECT (SELECT count(*) FROM session) || ' sessions, ' || (SELECT count(*) FROM meta_query) || ' queries, '
            || (SELECT count(*) FROM had_generation) || ' generations, ' || (SELECT count(*) FROM context) || ' contexts'
        """;

    [Fact]
    public async Task Writer_SessionWithInstallationId_StoresItOnTheSessionRow()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var s = new SampleEvents();
        var installationId = Guid.NewGuid();

        await (await WriterAsync(db)).WriteAsync(SampleEvents.Records(WithInstallation(s, installationId)), TimeoutToken.Create());

        Assert.Equal(installationId, await db.ScalarAsync<Guid>("SELECT installation_id FROM session WHERE session_id = @Id", new { Id = s.SessionId }));
    }

    [Fact]
    public async Task Writer_TokenOfAUserDeletedWithAllData_DiscardsTheSpooledEventsInsteadOfWritingThemAnonymously()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var (userId, token) = await CreateUserAsync(db);
        await new UserDataRepository(db.DataSource).DeleteAsync(userId, keepAnonymised: false, TimeoutToken.Create());
        var writer = await WriterAsync(db, token);
        var s = new SampleEvents();

        await writer.WriteAsync(SampleEvents.Records(s.All), TimeoutToken.Create());

        Assert.Equal(s.All.Count, writer.DiscardedCount);
        Assert.Equal("0 sessions, 0 queries, 0 generations, 0 contexts", await db.ScalarAsync<string>(CountsSql));
        // Only the token's hash is kept.
        Assert.Equal(SHA256.HashData(token.ToByteArray(bigEndian: true)), await db.ScalarAsync<byte[]>("SELECT token_sha256 FROM deleted_auth_token"));
    }

    [Fact]
    public async Task Writer_TokenOfAUserDeletedKeepingQueriesAnonymised_WritesLaterEventsWithoutAUser()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var (userId, token) = await CreateUserAsync(db);
        await new UserDataRepository(db.DataSource).DeleteAsync(userId, keepAnonymised: true, TimeoutToken.Create());
        var writer = await WriterAsync(db, token);
        var s = new SampleEvents();

        await writer.WriteAsync(SampleEvents.Records(s.All), TimeoutToken.Create());

        Assert.Equal(0, writer.DiscardedCount);
        Assert.Equal((Guid?)null, await db.ScalarAsync<Guid?>("SELECT user_id FROM meta_query WHERE meta_query_id = @Id", new { Id = s.QueryId }));
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM deleted_auth_token"));
    }

    [Fact]
    public async Task Writer_AccountDeletedWhileTheServerRuns_NextBatchIsDiscarded()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var (userId, token) = await CreateUserAsync(db);
        var writer = await WriterAsync(db, token);
        var first = new SampleEvents("first");
        await writer.WriteAsync(SampleEvents.Records(first.All), TimeoutToken.Create());
        Assert.Equal(userId, await db.ScalarAsync<Guid?>("SELECT user_id FROM meta_query WHERE meta_query_id = @Id", new { Id = first.QueryId }));

        await new UserDataRepository(db.DataSource).DeleteAsync(userId, keepAnonymised: false, TimeoutToken.Create());
        var second = new SampleEvents("second");
        await writer.WriteAsync(SampleEvents.Records(second.All), TimeoutToken.Create());

        Assert.Equal(second.All.Count, writer.DiscardedCount);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM meta_query"));
    }

    [Fact]
    public async Task Writer_InstallationDeletedWithAllData_DiscardsWhatItsSpoolStillHolds_AndANewIdentityIsWrittenAgain()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var installationId = Guid.NewGuid();
        var writer = await WriterAsync(db, installationId: installationId);
        var first = new SampleEvents("first");
        await writer.WriteAsync(SampleEvents.Records(WithInstallation(first, installationId)), TimeoutToken.Create());
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM meta_query"));

        // The participant asks for the installation's data to go while its server still has events spooled.
        Assert.Equal(1, await new UserDataRepository(db.DataSource).DeleteInstallationAsync(installationId, TimeoutToken.Create()));
        var spooled = new SampleEvents("spooled");
        await writer.WriteAsync(SampleEvents.Records(WithInstallation(spooled, installationId)), TimeoutToken.Create());

        Assert.Equal(spooled.All.Count, writer.DiscardedCount);
        Assert.Equal("0 sessions, 0 queries, 0 generations, 0 contexts", await db.ScalarAsync<string>(CountsSql));
        // Only the id's hash is kept, and the writer cannot read even that.
        Assert.Equal(SHA256.HashData(installationId.ToByteArray(bigEndian: true)), await db.ScalarAsync<byte[]>("SELECT installation_sha256 FROM deleted_installation"));
        await using (var writerRole = await db.ConnectAsMemberOfAsync("code4me_writer"))
        await using (var read = writerRole.CreateCommand("SELECT count(*) FROM deleted_installation"))
        {
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => read.ExecuteScalarAsync())).SqlState);
        }

        // A new identity (the machine's installation-id file deleted) is written again.
        var renewed = Guid.NewGuid();
        var again = new SampleEvents("again");
        var newWriter = await WriterAsync(db, installationId: renewed);
        await newWriter.WriteAsync(SampleEvents.Records(WithInstallation(again, renewed)), TimeoutToken.Create());
        Assert.Equal(0, newWriter.DiscardedCount);
        Assert.Equal(renewed, await db.ScalarAsync<Guid>("SELECT s.installation_id FROM meta_query q JOIN session s USING (session_id)"));
    }

    [Fact]
    public async Task ExportThenDelete_ByInstallation_ExportsItsSessionsAndQueriesThenRemovesThemAudited()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var installationId = Guid.NewGuid();
        var mine = new SampleEvents("mine");
        var other = new SampleEvents("other");
        var writer = await WriterAsync(db);
        await writer.WriteAsync(SampleEvents.Records(WithInstallation(mine, installationId)), TimeoutToken.Create());
        await writer.WriteAsync(SampleEvents.Records(WithInstallation(other, Guid.NewGuid())), TimeoutToken.Create());
        // A chat started in each installation's session.
        var (myChat, otherChat) = (Guid.NewGuid(), Guid.NewGuid());
        await db.ExecuteAsync("""
            INSERT INTO chat (chat_id, project_id, title, session_id)
            SELECT @MyChat, project_id, 'my chat', @MySession FROM session_projects WHERE session_id = @MySession LIMIT 1;
            INSERT INTO chat (chat_id, project_id, title, session_id)
            SELECT @OtherChat, project_id, 'other chat', @OtherSession FROM session_projects WHERE session_id = @OtherSession LIMIT 1;
            """, new { MyChat = myChat, OtherChat = otherChat, MySession = mine.SessionId, OtherSession = other.SessionId });

        var export = await CliRunner.RunAsync("data", "export", "--installation", installationId.ToString(), "--database", db.ConnectionString);
        var delete = await CliRunner.RunAsync("data", "delete", "--installation", installationId.ToString(), "--database", db.ConnectionString);
        var again = await CliRunner.RunAsync("data", "export", "--installation", installationId.ToString(), "--database", db.ConnectionString);

        Assert.Equal((0, ""), (export.ExitCode, export.Error));
        using (var json = JsonDocument.Parse(export.Out))
        {
            Assert.Equal(installationId, json.RootElement.GetProperty("installation_id").GetGuid());
            Assert.Equal(mine.SessionId, Assert.Single(json.RootElement.GetProperty("sessions").EnumerateArray()).GetProperty("session_id").GetGuid());
            var query = Assert.Single(json.RootElement.GetProperty("queries").EnumerateArray());
            Assert.Equal(mine.QueryId, query.GetProperty("meta_query_id").GetGuid());
            Assert.Equal(mine.Query.Context!.Prefix, query.GetProperty("context").GetProperty("prefix").GetString());
            Assert.Equal(2, query.GetProperty("generations").GetArrayLength());
            var chat = Assert.Single(json.RootElement.GetProperty("chats").EnumerateArray());
            Assert.Equal(myChat, chat.GetProperty("chat_id").GetGuid());
            Assert.Equal(0, chat.GetProperty("context_optimizations").GetArrayLength());
        }

        Assert.Equal((0, $"Deleted the data of installation {installationId} (1 queries).\n"), (delete.ExitCode, delete.Out.ReplaceLineEndings("\n")));
        using (var json = JsonDocument.Parse(again.Out))
        {
            Assert.Equal(0, json.RootElement.GetProperty("sessions").GetArrayLength());
            Assert.Equal(0, json.RootElement.GetProperty("queries").GetArrayLength());
        }

        // The other installation's data is untouched.
        Assert.Equal([other.QueryId], await db.QueryAsync<Guid>("SELECT meta_query_id FROM meta_query"));
        Assert.Equal([otherChat], await db.QueryAsync<Guid>("SELECT chat_id FROM chat"));
        Assert.Equal(
            ["export/installation_data_exported", "deletion/installation_deleted_with_data", "export/installation_data_exported"],
            await db.QueryAsync<string>(
                "SELECT event_type || '/' || action FROM audit_log WHERE detail->>'installation_id' = @Id ORDER BY occurred_at, action DESC",
                new { Id = installationId.ToString() }));
    }

    [Fact]
    public async Task ExportByUser_IsAuditedAsAnExport()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var (userId, _) = await CreateUserAsync(db);

        var export = await CliRunner.RunAsync("data", "export", "--user", userId.ToString(), "--database", db.ConnectionString);

        Assert.Equal((0, ""), (export.ExitCode, export.Error));
        Assert.Equal("export/data_exported", await db.ScalarAsync<string>(
            "SELECT event_type || '/' || action FROM audit_log WHERE user_id = @Id AND action = 'data_exported'", new { Id = userId }));
    }

    [Theory]
    [InlineData("export")]
    [InlineData("export", "--user", "a@example.org", "--installation", "0190f3a0-0000-7000-8000-000000000001")]
    [InlineData("delete", "--installation", "0190f3a0-0000-7000-8000-000000000001", "--keep-anonymised")]
    [InlineData("delete", "--installation", "not-a-uuid")]
    public async Task DataCommand_NoneOrBothSubjects_FailsWithAClearMessageAndChangesNothing(params string[] args)
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();

        var result = await CliRunner.RunAsync(["data", .. args, "--database", db.ConnectionString]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches("exactly one subject|--keep-anonymised applies to --user only|not-a-uuid", result.Error);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }

    private static List<TelemetryEvent> WithInstallation(SampleEvents s, Guid installationId) =>
        [.. s.All.Select(e => e is SessionStartedEvent started ? started with { InstallationId = installationId } : e)];

    private static async Task<(Guid UserId, Guid Token)> CreateUserAsync(TestDatabase db)
    {
        var (userId, token) = (Guid.CreateVersion7(), Guid.NewGuid());
        await db.ExecuteAsync(
            "INSERT INTO \"user\" (user_id, email, name, password, auth_token) VALUES (@userId, @email, 'Ada', '$argon2id$v=19$x', @token)",
            new { userId, token, email = $"{userId:N}@example.org" });
        return (userId, token);
    }

    private static async Task<PostgresTelemetryWriter> WriterAsync(TestDatabase db, Guid? authToken = null, Guid? installationId = null)
    {
        var dataSource = await db.ConnectAsMemberOfAsync("code4me_writer");
        return new PostgresTelemetryWriter(
            dataSource, new ReferenceData(dataSource), Options.Create(new Code4meStorageOptions { AuthToken = authToken }), NullLogger<PostgresTelemetryWriter>.Instance)
        {
            InstallationId = installationId,
        };
    }
}
