using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>DI registration of the telemetry write path.</summary>
public static class SpoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SpoolOptions"/> (bound to <c>Code4me:Telemetry:Spool</c>, validated) and the pipeline
    /// as the <see cref="ITelemetrySink"/> and a hosted service. Register an <see cref="ITelemetryBatchWriter"/>
    /// (the PostgreSQL writer) to upload; without one, events are only spooled.
    /// </summary>
    public static IServiceCollection AddCode4meSpool(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SpoolOptions>().Bind(configuration.GetSection(SpoolOptions.Section));
        services.AddSingleton<IValidateOptions<SpoolOptions>, SpoolOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TelemetryPipeline>();
        services.AddSingleton<ITelemetrySink>(sp => sp.GetRequiredService<TelemetryPipeline>());
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryPipeline>());
        return services;
    }
}
