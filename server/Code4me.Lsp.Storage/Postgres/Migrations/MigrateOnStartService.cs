using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Postgres.Migrations;

/// <summary>Applies pending migrations when the host starts (<see cref="Code4meStorageOptions.MigrateOnStart"/>).</summary>
internal sealed class MigrateOnStartService(Migrator migrator, ILogger<MigrateOnStartService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var run = await migrator.UpAsync(cancellationToken);
        if (run.Migrations.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Migrated the database from schema version {From} to {To}", run.FromVersion, run.ToVersion);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
