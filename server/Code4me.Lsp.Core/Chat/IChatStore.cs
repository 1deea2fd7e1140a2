namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// Where chats live. A store holds the chats of one user, the one running this server: it knows who that is
/// itself, callers never name a user. A store that leaves the machine proves the owner with a secret (PostgreSQL:
/// the auth token, <c>Code4me:Database:AuthToken</c>), so a chat of another user is not found (null / false),
/// never read or changed.
/// </summary>
public interface IChatStore
{
    Task CreateChatAsync(ChatRecord chat, CancellationToken cancellationToken);

    Task<ChatRecord?> FindChatAsync(Guid chatId, CancellationToken cancellationToken);

    Task<ChatPage> ListChatsAsync(int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>The exchanges of a chat, oldest first; empty when the chat is not the user's.</summary>
    Task<IReadOnlyList<ChatExchange>> GetExchangesAsync(Guid chatId, CancellationToken cancellationToken);

    Task AddExchangeAsync(ChatExchange exchange, CancellationToken cancellationToken);

    Task<bool> RenameChatAsync(Guid chatId, string title, CancellationToken cancellationToken);

    /// <summary>Deletes the chat and, with it, its exchanges.</summary>
    Task<bool> DeleteChatAsync(Guid chatId, CancellationToken cancellationToken);

    Task<bool> SetFeedbackAsync(Guid chatId, Guid queryId, bool isMistake, string? note, CancellationToken cancellationToken);
}
