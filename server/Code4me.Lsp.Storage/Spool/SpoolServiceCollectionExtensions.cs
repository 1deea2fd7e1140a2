using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>DI registration of the telemetry write path.</summary>
public static class SpoolServiceCollectionExtensions
{
    /// <summary>The database the telemetry goes to (else <see cref="Code4meStorageOptions.DatabaseEnvironmentVariable"/>).</summary>
    public const string DatabaseKey = "Code4me:Database:ConnectionString";

    /// <summary>The user's auth token (a UUID); without it telemetry is anonymous.</summary>
    public const string AuthTokenKey = "Code4me:Database:AuthToken";

    /// <summary>The database to write to: <c>Code4me:Database:ConnectionString</c>, else <c>CODE4ME_DATABASE_URL</c>; null when none.</summary>
    public static string? ConfiguredDatabase(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var database = configuration[DatabaseKey];
        if (string.IsNullOrWhiteSpace(database))
        {
            database = Environment.GetEnvironmentVariable(Code4meStorageOptions.DatabaseEnvironmentVariable);
        }

        return string.IsNullOrWhiteSpace(database) ? null : database;
    }

    /// <summary>
    /// Registers <see cref="SpoolOptions"/> (bound to <c>Code4me:Telemetry:Spool</c>, validated), the
    /// <see cref="InstallationIdentity"/> (its file in the spool directory), the <see cref="IExperimentKey"/> derived from it or
    /// the auth token, and the pipeline
    /// as the <see cref="ITelemetrySink"/> and a hosted service. When a database is configured
    /// (<see cref="DatabaseKey"/> or <c>CODE4ME_DATABASE_URL</c>), also the storage layer
    /// (<see cref="StorageServiceCollectionExtensions.AddCode4meStorage"/>) and the PostgreSQL writer, so the
    /// pipeline uploads; without one, events are only spooled (bounded) and the pipeline says so once at start.
    /// </summary>
    public static IServiceCollection AddCode4meSpool(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SpoolOptions>().Bind(configuration.GetSection(SpoolOptions.Section));
        services.AddSingleton<IValidateOptions<SpoolOptions>, SpoolOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new InstallationIdentity(
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value.InstallationIdPath, sp.GetRequiredService<ILogger<InstallationIdentity>>()));
        services.AddSingleton(sp => new ExperimentKey(
            configuration, sp.GetRequiredService<InstallationIdentity>(), sp.GetService<ConsentPolicy>()));
        services.AddSingleton<IExperimentKey>(sp => sp.GetRequiredService<ExperimentKey>());
        services.AddHostedService(sp => sp.GetRequiredService<ExperimentKey>());
        services.AddSingleton<TelemetryPipeline>();
        services.AddSingleton<ITelemetrySink>(sp => sp.GetRequiredService<TelemetryPipeline>());
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryPipeline>());

        if (ConfiguredDatabase(configuration) is { } database)
        {
            var authToken = ParseAuthToken(configuration[AuthTokenKey]);
            services.AddCode4meStorage(o =>
            {
                o.Database ??= database;
                o.AuthToken ??= authToken;
            });
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ITelemetryBatchWriter, PostgresTelemetryWriter>());
        }

        return services;
    }

    internal static Guid? ParseAuthToken(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : Guid.TryParse(value, out var token) ? token
        : throw new FormatException($"{AuthTokenKey} must be a UUID (the auth token of your Code4me account), not '{value}'.");
}
