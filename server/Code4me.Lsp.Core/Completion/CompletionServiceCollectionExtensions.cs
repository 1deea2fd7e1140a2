using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Code4me.Lsp.Core.Completion.Remote;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

// Extension methods live in the namespace of what they extend, as Microsoft.Extensions.* do.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the completion engine.</summary>
public static class CompletionServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="CompletionOptions"/> from <c>Code4me:Completion</c> and registers
    /// <see cref="CompletionService"/>, <see cref="OfflineCodeModel"/>, <see cref="WorkspaceIndexer"/>,
    /// <see cref="TypedAheadCache"/>, the models (built again from the settings after every change), the
    /// remote-model HttpClient (proxy, CA bundle, Polly retry), and the use case <see cref="CompletionFlow"/> with its
    /// <see cref="CompletionScheduler"/>, <see cref="CompletionContextBuilder"/> and <see cref="DocumentActivity"/> (also an
    /// <c>IDocumentObserver</c>). The flow also needs telemetry (<c>AddCode4meTelemetry</c>), an <see cref="IExperimentKey"/>
    /// and a <c>SecretFileMatcher</c>.
    /// </summary>
    public static IServiceCollection AddCode4meCompletion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(CompletionOptions.SectionName);
        services.AddOptions<CompletionOptions>().Bind(section);
        services.AddSingleton<IValidateOptions<CompletionOptions>, CompletionOptionsValidator>();
        // Bound once now, so a setting that does not convert stops the start with one line naming it (Cli).
        section.Bind(new CompletionOptions());

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CompletionOptions>>().Value.Offline);
        services.AddSingleton<OfflineCodeModel>();
        services.AddSingleton<WorkspaceIndexer>();
        services.AddSingleton<TypedAheadCache>(_ => new TypedAheadCache());
        services.AddSingleton<CompletionStatus>();
        services.AddSingleton<DocumentActivity>();
        services.AddSingleton<Code4me.Lsp.Core.Documents.IDocumentObserver>(sp => sp.GetRequiredService<DocumentActivity>());
        services.AddSingleton<CompletionScheduler>();
        services.AddSingleton<CompletionContextBuilder>();
        services.AddSingleton<CompletionFlow>();
        services.AddSingleton(sp =>
        {
            var offline = sp.GetRequiredService<OfflineCodeModel>();
            var clients = sp.GetRequiredService<IHttpClientFactory>();
            return new CompletionService(
                current => [.. current.EffectiveModels().Select(model => model.Kind switch
                {
                    CompletionModelKind.OpenAi => (ICompletionModel)new OpenAiCompletionModel(model, current, clients),
                    _ => new OfflineCompletionModel(model.Name, offline),
                })],
                sp.GetRequiredService<IOptionsMonitor<CompletionOptions>>(),
                sp.GetRequiredService<TypedAheadCache>(),
                sp.GetRequiredService<ILogger<CompletionService>>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<CompletionStatus>());
        });

        // Polly reports each retry and failure as a Warning with its exception; the user hears of an outage once, from
        // CompletionStatus, so these details are for Debug.
        services.Configure<TelemetryOptions>(o => o.SeverityProvider = _ => ResilienceEventSeverity.Debug);
        var client = services.AddHttpClient(RemoteHttp.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => RemoteHttp.CreateHandler(sp.GetRequiredService<IOptions<CompletionOptions>>().Value.CaBundlePath))
            // The factory's handlers would log four Information lines per model call (the server's default level);
            // failures are logged once per burst by CompletionService instead.
            .RemoveAllLoggers();
        client.AddResilienceHandler("code4me-completion", (builder, context) =>
        {
            // RemoteRetries is read per attempt, so a change from the editor applies to the next call.
            var monitor = context.ServiceProvider.GetRequiredService<IOptionsMonitor<CompletionOptions>>();
            var transient = new HttpRetryStrategyOptions().ShouldHandle;
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = CompletionOptionsValidator.MaxRemoteRetries,
                Delay = TimeSpan.FromMilliseconds(50),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = false,
                ShouldHandle = async args => args.AttemptNumber < monitor.CurrentValue.RemoteRetries && await transient(args).ConfigureAwait(false),
            });
        });
        return services;
    }
}
