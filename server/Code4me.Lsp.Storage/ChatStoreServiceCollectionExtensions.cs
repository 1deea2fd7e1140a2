using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Storage.Postgres.Chat;
using Microsoft.Extensions.DependencyInjection;

namespace Code4me.Lsp.Storage;

/// <summary>Chats in PostgreSQL.</summary>
public static class ChatStoreServiceCollectionExtensions
{
    /// <summary>
    /// Makes PostgreSQL the <see cref="IChatStore"/> (after <see cref="StorageServiceCollectionExtensions.AddCode4meStorage"/>;
    /// before or after <c>AddCode4meChat</c>, whose in-memory store it replaces). The connection's role must be able to
    /// SELECT, UPDATE and DELETE the chat tables; <c>code4me_writer</c> alone cannot.
    /// </summary>
    public static IServiceCollection AddCode4mePostgresChatStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IChatStore, PostgresChatStore>();
        return services;
    }
}
