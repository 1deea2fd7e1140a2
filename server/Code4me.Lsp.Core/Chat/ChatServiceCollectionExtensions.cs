using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods live in the namespace of what they extend, as Microsoft.Extensions.* do.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers chat.</summary>
public static class ChatServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ChatOptions"/> from <c>Code4me:Chat</c> and registers <see cref="ChatService"/>, the OpenAI-compatible
    /// client factory, and <see cref="InMemoryChatStore"/> unless an <see cref="IChatStore"/> is already registered.
    /// A store that is not in memory (PostgreSQL) is put behind a <see cref="ConsentGatedChatStore"/>, which needs
    /// <see cref="ConsentPolicy"/> (<c>AddCode4meConsent</c>).
    /// </summary>
    public static IServiceCollection AddCode4meChat(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection(ChatOptions.SectionName));
        services.AddSingleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChatStore, InMemoryChatStore>();
        services.TryAddSingleton<IChatClientFactory, OpenAiChatClientFactory>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ChatService>(sp, Gated(sp)));
        return services;
    }

    private static IChatStore Gated(IServiceProvider services)
    {
        var store = services.GetRequiredService<IChatStore>();
        return store is InMemoryChatStore
            ? store
            : new ConsentGatedChatStore(
                store,
                services.GetService<ConsentPolicy>()
                    ?? throw new InvalidOperationException("A chat store that leaves the machine needs the consent policy: call AddCode4meConsent."));
    }
}
