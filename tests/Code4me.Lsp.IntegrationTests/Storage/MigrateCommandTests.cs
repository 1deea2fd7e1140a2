using System.Globalization;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Migrations;

namespace Code4me.Lsp.IntegrationTests.Storage;

/// <summary><c>code4me-lsp migrate</c>: in process through <c>Cli.RunAsync</c>, and once through the real executable.</summary>
public sealed class MigrateCommandTests
{
    [Fact]
    public async Task StatusUpStatus_FreshDatabase_ShowsPendingThenApplied()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateEmptyDatabaseAsync();

        var before = await CliRunner.RunAsync("migrate", "status", "--database", db.ConnectionString);
        var up = await CliRunner.RunAsync("migrate", "up", "--database", db.ConnectionString);
        var again = await CliRunner.RunAsync("migrate", "up", "--database", db.ConnectionString);
        var after = await CliRunner.RunAsync("migrate", "status", "--database", db.ConnectionString);

        Assert.Equal((0, ""), (before.ExitCode, before.Error));
        Assert.Contains("0001     pending", before.Out, StringComparison.Ordinal);
        Assert.Equal((0, ""), (up.ExitCode, up.Error));
        Assert.Contains("Applied 0001_code4me_v2", up.Out, StringComparison.Ordinal);
        Assert.Contains("nothing to apply", again.Out, StringComparison.Ordinal);
        Assert.Contains("0003     applied", after.Out, StringComparison.Ordinal);
        Assert.Contains("0 pending", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Down_ToAVersion_RevertsTheMigrationsAboveIt()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();

        var down = await CliRunner.RunAsync("migrate", "down", "1", "--database", db.ConnectionString);

        Assert.Equal(0, down.ExitCode);
        Assert.Contains("Reverted 0004_completion_feedback\nReverted 0003_roles\nReverted 0002_usage_preferences_consent_audit\n", down.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("schema version 1.", down.Out, StringComparison.Ordinal);
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT max(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Up_AppliedMigrationEdited_FailsWithClearMessage()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await db.ExecuteAsync("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");

        var up = await CliRunner.RunAsync("migrate", "up", "--database", db.ConnectionString);
        var status = await CliRunner.RunAsync("migrate", "status", "--database", db.ConnectionString);

        AssertCleanFailure(up, "Migration 0001_code4me_v2 was applied with checksum 000000000000…");
        Assert.Contains("must never be edited", up.Error, StringComparison.Ordinal);
        AssertCleanFailure(status, "Migration 0001 was edited after it was applied");
    }

    [Fact]
    public async Task Up_DatabaseNewerThanExecutable_FailsWithClearMessage()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var latest = MigrationCatalog.Embedded.LatestVersion;
        await db.ExecuteAsync("INSERT INTO schema_migrations (version, name, checksum) VALUES (@Version, 'future', 'f')", new { Version = latest + 1 });

        var up = await CliRunner.RunAsync("migrate", "up", "--database", db.ConnectionString);

        AssertCleanFailure(up, $"The database is at schema version {latest + 1}, but this code4me-lsp only knows versions up to {latest}");
    }

    [Fact]
    public async Task Status_WrongCredentials_FailsWithClearMessage()
    {
        var server = await PostgresServer.SharedAsync();

        var result = await CliRunner.RunAsync("migrate", "status", "--database", server.ConnectionString("postgres", "no_such_user", "wrong"));

        AssertCleanFailure(result, "Could not log in to ");
        Assert.Contains("\"no_such_user\"", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_MissingDatabase_FailsWithClearMessage()
    {
        var server = await PostgresServer.SharedAsync();

        var result = await CliRunner.RunAsync("migrate", "status", "--database", server.ConnectionString("no_such_database"));

        AssertCleanFailure(result, "Database \"no_such_database\" does not exist");
    }

    [Fact]
    public async Task Status_NothingListening_FailsWithConnectionRefused()
    {
        var result = await CliRunner.RunAsync("migrate", "status", "--database", "postgres://u:p@127.0.0.1:1/db");

        AssertCleanFailure(result, "Could not connect to PostgreSQL at 127.0.0.1:1: connection refused");
    }

    [Theory]
    [InlineData("mysql://u@h/db", "must start with postgres://")]
    [InlineData("postgres://u@h/db?sslmode=sometimes", "sslmode 'sometimes'")]
    [InlineData("Hots=localhost", "neither a postgres:// URL nor a valid Npgsql connection string")]
    public async Task Up_InvalidDatabaseSetting_FailsWithClearMessage(string setting, string expected)
    {
        var result = await CliRunner.RunAsync("migrate", "up", "--database", setting);

        AssertCleanFailure(result, expected);
    }

    [Fact]
    public async Task Down_VersionAboveTheLatest_FailsWithClearMessage()
    {
        await using var db = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();

        var above = (MigrationCatalog.Embedded.LatestVersion + 1).ToString(CultureInfo.InvariantCulture);

        var result = await CliRunner.RunAsync("migrate", "down", above, "--database", db.ConnectionString);

        AssertCleanFailure(result, $"Cannot migrate down to version {above}");
    }

    [Fact]
    public async Task Executable_StatusAndBadCredentials_ExitCodesAndStreams()
    {
        var server = await PostgresServer.SharedAsync();
        await using var db = await server.CreateDatabaseAsync();

        var status = await RunExecutableAsync("migrate", "status", "--database", db.ConnectionString);
        var denied = await RunExecutableAsync("migrate", "status", "--database", server.ConnectionString(db.Name, "no_such_user", "pw"));

        Assert.Equal((0, ""), (status.ExitCode, status.Error));
        var latest = MigrationCatalog.Embedded.LatestVersion;
        Assert.Contains($"Schema version {latest}; this code4me-lsp knows up to {latest}; 0 pending.", status.Out, StringComparison.Ordinal);
        Assert.Equal(1, denied.ExitCode);
        Assert.Equal("", denied.Out);
        Assert.StartsWith("Could not log in to ", denied.Error, StringComparison.Ordinal);
    }

    private static void AssertCleanFailure(CliResult result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal); // no stack trace
    }

    private static async Task<CliResult> RunExecutableAsync(params string[] args)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync(args);
        return new CliResult(exitCode, stdout, stderr);
    }
}
