using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Postgres.Chat;

/// <summary>Log lines of the PostgreSQL chat store: never chat text, never the token.</summary>
internal static partial class ChatStoreLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The configured auth token (Code4me:Database:AuthToken) belongs to no user in the database; chats are stored anonymously, visible only to this session.")]
    public static partial void UnknownAuthToken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account of the configured auth token (Code4me:Database:AuthToken) was deleted with all its data; this session's chats are kept in memory only, never stored.")]
    public static partial void DeletedAccount(ILogger logger);
}
