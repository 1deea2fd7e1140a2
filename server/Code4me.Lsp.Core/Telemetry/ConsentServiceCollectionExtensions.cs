using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>DI registration of consent and secret rules.</summary>
public static class ConsentServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ConsentOptions"/> and <see cref="SecretOptions"/> (bound, validated), <see cref="SecretFileMatcher"/>,
    /// <see cref="ConsentPolicy"/> (also as the <see cref="ITelemetryEventFilter"/> the pipeline applies before writing),
    /// <see cref="ConsentAudit"/>, and puts a <see cref="ConsentFilter"/> in front of the <see cref="ITelemetrySink"/>
    /// registered so far. Call it after the sink is registered (<c>AddCode4meSpool</c>).
    /// </summary>
    public static IServiceCollection AddCode4meConsent(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConsentOptions>().Bind(configuration.GetSection(ConsentOptions.Section));
        services.AddOptions<SecretOptions>().Bind(configuration.GetSection(SecretOptions.Section));
        services.AddSingleton<IValidateOptions<SecretOptions>, SecretOptionsValidator>();
        services.AddSingleton<SecretFileMatcher>();
        services.AddSingleton<ConsentPolicy>();
        services.AddSingleton<ITelemetryEventFilter>(sp => sp.GetRequiredService<ConsentPolicy>());
        services.AddSingleton<ConsentAudit>();

        var inner = services.LastOrDefault(d => d.ServiceType == typeof(ITelemetrySink))
            ?? throw new InvalidOperationException("Register an ITelemetrySink (AddCode4meSpool) before AddCode4meConsent.");
        services.Remove(inner);
        services.AddSingleton<ITelemetrySink>(sp => new ConsentFilter(Resolve(inner, sp), sp.GetRequiredService<ConsentPolicy>()));
        return services;
    }

    private static ITelemetrySink Resolve(ServiceDescriptor descriptor, IServiceProvider provider) => (ITelemetrySink)(
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
