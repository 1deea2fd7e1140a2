using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres;

/// <summary>
/// The study database as a command sees it: one connection pool and the repositories that run on it, with no driver type
/// in sight. <see cref="RunAsync"/> turns every failure a person can fix into a <see cref="StorageException"/>.
/// </summary>
internal sealed class StorageDatabase : IAsyncDisposable
{
    private StorageDatabase(NpgsqlDataSource dataSource, string connectionString)
    {
        DataSource = dataSource;
        ConnectionString = connectionString;
    }

    /// <summary>The pool the repositories run on (Storage's own business).</summary>
    internal NpgsqlDataSource DataSource { get; }

    /// <summary>The Npgsql connection string the setting stands for.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Opens the database of <paramref name="setting"/> (a connection string or a postgres:// URL) and runs
    /// <paramref name="action"/> on it.
    /// </summary>
    /// <exception cref="StorageException">The setting is malformed, or the database failed in a way <c>StorageErrors</c> can put in words.</exception>
    public static async Task<T> RunAsync<T>(string setting, Func<StorageDatabase, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        string? connectionString = null;
        try
        {
            connectionString = DatabaseUrl.ToConnectionString(setting);
            await using var database = new StorageDatabase(PostgresDataSource.Create(connectionString), connectionString);
            return await action(database).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or MigrationException or NpgsqlException)
        {
            throw new StorageException(StorageErrors.Describe(e, connectionString) ?? $"Database error: {e.Message}", e);
        }
    }

    /// <summary>The telemetry writer <c>telemetry flush</c> uploads a spool with, as <paramref name="authToken"/>'s user (anonymous when null).</summary>
    public PostgresTelemetryWriter TelemetryWriter(Guid? authToken, InstallationIdentity installation) => new(
        DataSource,
        new ReferenceData(DataSource),
        Options.Create(new Code4meStorageOptions { Database = ConnectionString, AuthToken = authToken }),
        NullLogger<PostgresTelemetryWriter>.Instance,
        installation);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
