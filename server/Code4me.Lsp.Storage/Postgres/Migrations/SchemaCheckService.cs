using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>
/// Once, in the background after start: is the configured database at the schema this executable writes? If it is behind
/// (never migrated, or migrated by an older code4me-lsp) or ahead, one warning says what to run. The host never waits for
/// it; an unreachable database is left to the telemetry writer's outage warning (here: Debug).
/// </summary>
internal sealed partial class SchemaCheckService(
    Migrator migrator, IOptions<Code4meStorageOptions> options, ILogger<SchemaCheckService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();   // off the start path
        try
        {
            var status = await migrator.StatusAsync(stoppingToken);
            var target = DatabaseName(options.Value.Database);
            if (status.CurrentVersion < status.LatestKnownVersion)
            {
                Behind(logger, target, status.CurrentVersion, status.LatestKnownVersion);
            }
            else if (status.CurrentVersion > status.LatestKnownVersion)
            {
                Ahead(logger, target, status.CurrentVersion, status.LatestKnownVersion);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping before the answer came.
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            Unchecked(logger, e);
        }
    }

    private static string DatabaseName(string? connectionString)
    {
        var (server, database, _) = StorageErrors.TargetOf(connectionString);
        return $"\"{database}\" on {server}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database {Database} is at schema version {Current}; this code4me-lsp writes version {Latest}: run `code4me-lsp migrate up` as its owner. Until then telemetry stays in the spool.")]
    private static partial void Behind(ILogger logger, string database, int current, int latest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database {Database} is at schema version {Current}, newer than this code4me-lsp knows ({Latest}): upgrade code4me-lsp.")]
    private static partial void Ahead(ILogger logger, string database, int current, int latest);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The database schema could not be checked at start")]
    private static partial void Unchecked(ILogger logger, Exception exception);
}
