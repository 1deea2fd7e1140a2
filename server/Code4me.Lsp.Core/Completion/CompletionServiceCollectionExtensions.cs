using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Code4me.Lsp.Core.Completion.Remote;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

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
    /// <see cref="TypedAheadCache"/>, one <see cref="ICompletionModel"/> per configured model and the
    /// remote-model HttpClient (proxy, CA bundle, Polly retry). Models are read once at start.
    /// </summary>
    public static IServiceCollection AddCode4meCompletion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(CompletionOptions.SectionName);
        services.AddOptions<CompletionOptions>().Bind(section);
        services.AddSingleton<IValidateOptions<CompletionOptions>, CompletionOptionsValidator>();
        var options = new CompletionOptions();
        section.Bind(options);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CompletionOptions>>().Value.Offline);
        services.AddSingleton<OfflineCodeModel>();
        services.AddSingleton<WorkspaceIndexer>();
        services.AddSingleton<TypedAheadCache>(_ => new TypedAheadCache());
        foreach (var model in options.EffectiveModels())
        {
            services.AddSingleton<ICompletionModel>(sp => model.Kind switch
            {
                CompletionModelKind.OpenAi => new OpenAiCompletionModel(model, sp.GetRequiredService<IOptions<CompletionOptions>>().Value, sp.GetRequiredService<IHttpClientFactory>()),
                _ => new OfflineCompletionModel(model.Name, sp.GetRequiredService<OfflineCodeModel>()),
            });
        }

        services.AddSingleton(sp => new CompletionService(
            sp.GetServices<ICompletionModel>(),
            sp.GetRequiredService<IOptionsMonitor<CompletionOptions>>(),
            sp.GetRequiredService<TypedAheadCache>(),
            sp.GetRequiredService<ILogger<CompletionService>>(),
            sp.GetRequiredService<TimeProvider>()));

        var client = services.AddHttpClient(RemoteHttp.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => RemoteHttp.CreateHandler(sp.GetRequiredService<IOptions<CompletionOptions>>().Value.CaBundlePath))
            // The factory's handlers would log four Information lines per model call (the server's default level);
            // failures are logged once per burst by CompletionService instead.
            .RemoveAllLoggers();
        client.AddResilienceHandler("code4me-completion", builder =>
        {
            if (options.RemoteRetries > 0)
            {
                builder.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.RemoteRetries,
                    Delay = TimeSpan.FromMilliseconds(50),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = false,
                });
            }
        });
        return services;
    }
}
