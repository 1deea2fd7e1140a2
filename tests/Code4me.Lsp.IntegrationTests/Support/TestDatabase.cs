using Dapper;
using Npgsql;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>
/// One throwaway database on the <see cref="PostgresServer"/>, with a data source for its owner and
/// login roles made on demand for the least-privilege roles. Disposing drops the database and those roles.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly PostgresServer _server;
    private readonly List<string> _roles = [];
    private readonly List<NpgsqlDataSource> _dataSources = [];

    public TestDatabase(PostgresServer server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = server.ConnectionString(name);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        _dataSources.Add(DataSource);
    }

    public string Name { get; }

    /// <summary>Connects as the admin (owner of everything).</summary>
    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>A new LOGIN role that is a member of <paramref name="groupRole"/>, and a data source that connects as it.</summary>
    public async Task<NpgsqlDataSource> ConnectAsMemberOfAsync(string groupRole)
    {
        var dataSource = NpgsqlDataSource.Create(await CreateLoginAsync(groupRole));
        _dataSources.Add(dataSource);
        return dataSource;
    }

    /// <summary>A new LOGIN role that is a member of <paramref name="groupRole"/>; returns the connection string that logs in as it.</summary>
    public async Task<string> CreateLoginAsync(string groupRole)
    {
        var role = $"{groupRole}_t{Guid.NewGuid().ToString("N")[..10]}";
        const string Password = "Test-password-1";
        await _server.ExecuteAdminAsync($"CREATE ROLE {role} LOGIN PASSWORD '{Password}' IN ROLE {groupRole}");
        _roles.Add(role);
        return _server.ConnectionString(Name, role, Password);
    }

    /// <summary>Runs SQL as the owner.</summary>
    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(TimeoutToken.Create());
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: TimeoutToken.Create()));
    }

    /// <summary>Reads one value as the owner.</summary>
    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return (await connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: TimeoutToken.Create())))!;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: TimeoutToken.Create()))];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        await _server.ExecuteAdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        foreach (var role in _roles)
        {
            await _server.ExecuteAdminAsync($"DROP ROLE IF EXISTS {role}");
        }
    }
}
