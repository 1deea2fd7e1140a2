using Code4me.Lsp.Core.Documents;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>DI registration of telemetry derivation (the sink itself comes from Storage: <c>AddCode4meSpool</c>).</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TelemetryOptions"/> (bound to <c>Code4me:Telemetry</c>, validated),
    /// <see cref="TypingSpeedMeter"/>, <see cref="BehaviorClock"/>, <see cref="TelemetrySession"/>, <see cref="MultiFileContextTracker"/>, and the
    /// query registry with its jobs: <see cref="QueryBook"/>, <see cref="QueryMeasurement"/>, <see cref="QueryRecorder"/>,
    /// <see cref="QueryFeedback"/>, <see cref="FollowUpScheduler"/> and <see cref="EditFollower"/> (also an <see cref="IDocumentObserver"/>).
    /// Needs <see cref="TimeProvider"/>, <c>EditorSession</c>, logging and an <see cref="ITelemetrySink"/>.
    /// </summary>
    public static IServiceCollection AddCode4meTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section));
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TypingSpeedMeter>();
        services.AddSingleton<BehaviorClock>();
        services.AddSingleton<TelemetrySession>();
        services.AddSingleton<MultiFileContextTracker>();
        services.AddSingleton<QueryBook>();
        services.AddSingleton<QueryMeasurement>();
        services.AddSingleton<QueryRecorder>();
        services.AddSingleton<QueryFeedback>();
        services.AddSingleton<FollowUpScheduler>();
        services.AddSingleton<EditFollower>();
        services.AddSingleton<IDocumentObserver>(sp => sp.GetRequiredService<EditFollower>());
        return services;
    }
}
