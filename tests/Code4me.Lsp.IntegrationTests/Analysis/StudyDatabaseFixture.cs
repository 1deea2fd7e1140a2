using Code4me.Lsp.IntegrationTests.Support;
using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Analysis;

/// <summary>A class fixture: one database at the latest schema holding the <see cref="StudySeed"/>, and a login in code4me_analyst.</summary>
public sealed class StudyDatabaseFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private NpgsqlDataSource? _analyst;
    private string? _analystConnectionString;

    internal TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>Connects as a member of code4me_analyst, the role the views are for.</summary>
    internal NpgsqlDataSource Analyst => _analyst ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task InitializeAsync()
    {
        _database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await StudySeed.WriteAsync(_database, TimeoutToken.Create());
        _analystConnectionString = await _database.CreateLoginAsync("code4me_analyst");
        _analyst = NpgsqlDataSource.Create(_analystConnectionString);
        // The kept fact rows built (0015), as the first report does: every view below reads them, and each number is
        // checked against the base tables.
        await using var connection = await _analyst.OpenConnectionAsync(TimeoutToken.Create());
        await connection.ExecuteAsync(new CommandDefinition("SELECT analysis.facts_refresh()", cancellationToken: TimeoutToken.Create()));
    }

    /// <summary>The connection string of that login (for the command line).</summary>
    internal string AnalystConnectionString => _analystConnectionString ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task DisposeAsync()
    {
        if (_analyst is not null)
        {
            await _analyst.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>Runs a <c>study</c> command as the database owner (who may write studies); it must succeed.</summary>
    internal async Task StudyCliAsync(params string[] arguments)
    {
        var (exitCode, _, stderr) = await ServerProcess.RunAsync([.. arguments, "--database", Database.ConnectionString]);
        Assert.True(exitCode == 0, stderr);
    }

    /// <summary>Reads rows as the analyst, with the analysis filter settings given (name without the <c>analysis.</c> prefix → value).</summary>
    internal async Task<List<T>> AnalystQueryAsync<T>(string sql, IReadOnlyDictionary<string, string>? filter = null)
    {
        await using var connection = await Analyst.OpenConnectionAsync(TimeoutToken.Create());
        foreach (var (name, value) in filter ?? new Dictionary<string, string>())
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT set_config(@Name, @Value, false)", new { Name = "analysis." + name, Value = value }, cancellationToken: TimeoutToken.Create()));
        }

        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, cancellationToken: TimeoutToken.Create()))];
    }
}
