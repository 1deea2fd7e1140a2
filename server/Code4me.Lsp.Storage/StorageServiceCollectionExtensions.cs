using Code4me.Lsp.Storage.Postgres;
using Code4me.Lsp.Storage.Postgres.Migrations;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Code4me.Lsp.Storage;

/// <summary>The public surface of the storage layer.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> (built on first use from
    /// <see cref="Code4meStorageOptions.Database"/>), the migrator, the user repository and the
    /// reference-data cache; with <see cref="Code4meStorageOptions.MigrateOnStart"/>, a hosted
    /// service that applies pending migrations at start, else one that checks the schema once and warns when it is behind. Calling it again (e.g. from
    /// <c>AddCode4meSpool</c>) adds another configure action and no second copy of anything.
    /// </summary>
    public static IServiceCollection AddCode4meStorage(this IServiceCollection services, Action<Code4meStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<Code4meStorageOptions>().Configure(configure);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<Code4meStorageOptions>>().Value;
            var database = options.Database
                ?? throw new InvalidOperationException(
                    $"No database is configured: pass --database or set {Code4meStorageOptions.DatabaseEnvironmentVariable}.");
            return PostgresDataSource.Create(database, sp.GetService<ILoggerFactory>());
        });
        services.TryAddSingleton(MigrationCatalog.Embedded);
        services.TryAddSingleton<Migrator>();
        services.TryAddSingleton<UserRepository>();
        services.TryAddSingleton<ReferenceData>();

        var probe = new Code4meStorageOptions();
        configure(probe);
        if (probe.MigrateOnStart)
        {
            services.AddHostedService<MigrateOnStartService>();
        }
        else
        {
            services.AddHostedService<SchemaCheckService>();
        }

        return services;
    }
}
