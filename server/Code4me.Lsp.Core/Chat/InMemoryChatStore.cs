namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// The store used when no database is configured: chats live as long as the server process, which serves one user,
/// so every chat here is that user's.
/// </summary>
public sealed class InMemoryChatStore : IChatStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, ChatRecord> _chats = [];
    private readonly Dictionary<Guid, List<ChatExchange>> _exchanges = [];

    public Task CreateChatAsync(ChatRecord chat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chat);
        lock (_gate)
        {
            _chats.Add(chat.ChatId, chat);
            _exchanges.Add(chat.ChatId, []);
        }

        return Task.CompletedTask;
    }

    public Task<ChatRecord?> FindChatAsync(Guid chatId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Existing(chatId));
        }
    }

    public Task<ChatPage> ListChatsAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var mine = _chats.Values.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.ChatId)
                .Skip(page * pageSize).Take(pageSize + 1).ToList();
            var more = mine.Count > pageSize;
            return Task.FromResult(new ChatPage([.. mine.Take(pageSize)], more ? page + 1 : null));
        }
    }

    public Task<IReadOnlyList<ChatExchange>> GetExchangesAsync(Guid chatId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ChatExchange> result = Existing(chatId) is null ? [] : [.. _exchanges[chatId]];
            return Task.FromResult(result);
        }
    }

    public Task AddExchangeAsync(ChatExchange exchange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        lock (_gate)
        {
            // A chat deleted while its reply was streaming takes the exchange with it.
            if (_exchanges.TryGetValue(exchange.ChatId, out var list))
            {
                list.Add(exchange);
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> RenameChatAsync(Guid chatId, string title, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Existing(chatId) is not { } chat)
            {
                return Task.FromResult(false);
            }

            _chats[chatId] = chat with { Title = title };
            return Task.FromResult(true);
        }
    }

    public Task<bool> DeleteChatAsync(Guid chatId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Existing(chatId) is null)
            {
                return Task.FromResult(false);
            }

            _chats.Remove(chatId);
            _exchanges.Remove(chatId);
            return Task.FromResult(true);
        }
    }

    public Task<bool> SetFeedbackAsync(Guid chatId, Guid queryId, bool isMistake, string? note, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (Existing(chatId) is null)
            {
                return Task.FromResult(false);
            }

            var list = _exchanges[chatId];
            var index = list.FindIndex(e => e.QueryId == queryId);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            list[index] = list[index] with { IsMistake = isMistake, MistakeNote = isMistake ? note : null };
            return Task.FromResult(true);
        }
    }

    /// <summary>Adds a chat read from elsewhere with its exchanges; false (and nothing changed) when it is here already.</summary>
    internal bool TryImport(ChatRecord chat, IReadOnlyList<ChatExchange> exchanges)
    {
        lock (_gate)
        {
            if (!_chats.TryAdd(chat.ChatId, chat))
            {
                return false;
            }

            _exchanges.Add(chat.ChatId, [.. exchanges]);
            return true;
        }
    }

    private ChatRecord? Existing(Guid chatId) => _chats.GetValueOrDefault(chatId);
}
