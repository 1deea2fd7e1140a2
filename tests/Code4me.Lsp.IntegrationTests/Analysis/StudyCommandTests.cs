using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Storage.Postgres.Users;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>
/// <c>code4me-lsp study create|enrol|list</c> (the executable, as the database owner), each test on a database of its own: what is
/// enrolled is listed back, a mistake is one line and exit 1 changing nothing, and deleting a participant's data removes
/// their enrolment.
/// </summary>
public sealed class StudyCommandTests
{
    [Fact]
    public async Task CreateEnrolList_UserAndInstallation_AreListedBackWithTheirArms()
    {
        await using var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var user = await new UserRepository(database.DataSource).CreateAsync("ada@example.org", "Ada", "Correct-horse-1", TimeoutToken.Create());
        var installation = Guid.CreateVersion7();

        Assert.Equal("Created study pilot.", await RunAsync(database, "study", "create", "pilot", "--description", "two arms", "--since", "2025-03-01", "--until", "2025-04-01T12:00:00+02:00"));
        Assert.Equal("Created study later.", await RunAsync(database, "study", "create", "later"));
        Assert.Equal($"Enrolled user {user.UserId} in study pilot.", await RunAsync(database, "study", "enrol", "pilot", "--user", "ADA@example.org", "--arm", "treatment"));
        Assert.Equal($"Enrolled installation {installation} in study pilot.", await RunAsync(database, "study", "enrol", "pilot", "--installation", installation.ToString()));

        Assert.Equal(
            ["later\t-\t-\t0", "pilot\t2025-03-01T00:00:00Z\t2025-04-01T10:00:00Z\t2\ttwo arms"],
            Lines(await RunAsync(database, "study", "list")));
        var participants = Lines(await RunAsync(database, "study", "list", "pilot"));
        Assert.Equal(2, participants.Length);
        Assert.StartsWith($"user\t{user.UserId}\ttreatment\t", participants[0], StringComparison.Ordinal);
        Assert.StartsWith($"installation\t{installation}\t-\t", participants[1], StringComparison.Ordinal);
        Assert.Empty(await RunAsync(database, "study", "list", "later"));
    }

    [Theory]
    [InlineData("study create pilot", "A study named 'pilot' already exists (`code4me-lsp study list` lists them).")]
    [InlineData("study enrol nosuch --installation 0193c0de-0000-7000-8000-000000000001", "No study is named 'nosuch' (`code4me-lsp study list` lists them).")]
    [InlineData("study enrol pilot --installation 0193c0de-0000-7000-8000-000000000001", "Installation 0193c0de-0000-7000-8000-000000000001 is already enrolled in study 'pilot'.")]
    [InlineData("study enrol pilot --user nobody@example.org", "No user has the id or e-mail address 'nobody@example.org'.")]
    [InlineData("study list nosuch", "No study is named 'nosuch' (`code4me-lsp study list` lists them).")]
    [InlineData("study create backwards --since 2025-03-02 --until 2025-03-01", "The study would end")]
    public async Task Mistake_IsOneLineExitCode1AndChangesNothing(string command, string message)
    {
        await using var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await RunAsync(database, "study", "create", "pilot");
        await RunAsync(database, "study", "enrol", "pilot", "--installation", "0193c0de-0000-7000-8000-000000000001");
        var before = await RunAsync(database, "study", "list");

        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync([.. command.Split(' '), "--database", database.ConnectionString]);

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Single(Lines(stderr));
        Assert.StartsWith(message, stderr.Trim(), StringComparison.Ordinal);
        Assert.Equal(before, await RunAsync(database, "study", "list"));
    }

    [Fact]
    public async Task Enrol_WithoutAParticipant_IsAUsageErrorExitCode2()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunAsync("study", "enrol", "pilot", "--database", "postgres://nobody@127.0.0.1:1/none");

        Assert.Equal(2, exitCode);
        Assert.Contains("Name exactly one subject: --user ID|EMAIL or --installation ID.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataDelete_OfAnEnrolledUserOrInstallation_RemovesTheEnrolment()
    {
        await using var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var user = await new UserRepository(database.DataSource).CreateAsync("bob@example.org", "Bob", "Correct-horse-1", TimeoutToken.Create());
        var installation = Guid.CreateVersion7();
        await RunAsync(database, "study", "create", "pilot");
        await RunAsync(database, "study", "enrol", "pilot", "--user", user.UserId.ToString());
        await RunAsync(database, "study", "enrol", "pilot", "--installation", installation.ToString());
        Assert.Contains("\"study\": \"pilot\"", await RunAsync(database, "data", "export", "--installation", installation.ToString()), StringComparison.Ordinal);

        await RunAsync(database, "data", "delete", "--user", user.UserId.ToString());
        await RunAsync(database, "data", "delete", "--installation", installation.ToString());

        Assert.Empty(await RunAsync(database, "study", "list", "pilot"));
    }

    /// <summary>Runs a command on the database as its owner; it must succeed. Returns stdout, trimmed.</summary>
    private static async Task<string> RunAsync(TestDatabase database, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync([.. arguments, "--database", database.ConnectionString]);
        Assert.True(exitCode == 0, stderr);
        return stdout.Trim();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
