using Code4me.Lsp.Core.Chat;
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
    /// </summary>
    public static IServiceCollection AddCode4meChat(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection(ChatOptions.SectionName));
        services.AddSingleton<IValidateOptions<ChatOptions>, ChatOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IChatStore, InMemoryChatStore>();
        services.TryAddSingleton<IChatClientFactory, OpenAiChatClientFactory>();
        services.AddSingleton<ChatService>();
        return services;
    }
}
