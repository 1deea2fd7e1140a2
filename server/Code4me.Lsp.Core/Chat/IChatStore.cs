namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// Where chats live. Every read and change names the owner: a chat of another user is not found
/// (null / false), never read or changed.
/// </summary>
public interface IChatStore
{
    Task CreateChatAsync(ChatRecord chat, CancellationToken cancellationToken);

    Task<ChatRecord?> FindChatAsync(Guid chatId, Guid? userId, CancellationToken cancellationToken);

    Task<ChatPage> ListChatsAsync(Guid? userId, int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>The exchanges of a chat, oldest first; empty when the chat is not the user's.</summary>
    Task<IReadOnlyList<ChatExchange>> GetExchangesAsync(Guid chatId, Guid? userId, CancellationToken cancellationToken);

    Task AddExchangeAsync(ChatExchange exchange, CancellationToken cancellationToken);

    Task<bool> RenameChatAsync(Guid chatId, Guid? userId, string title, CancellationToken cancellationToken);

    /// <summary>Deletes the chat and, with it, its exchanges.</summary>
    Task<bool> DeleteChatAsync(Guid chatId, Guid? userId, CancellationToken cancellationToken);

    Task<bool> SetFeedbackAsync(Guid chatId, Guid queryId, Guid? userId, bool isMistake, string? note, CancellationToken cancellationToken);
}
