using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// Puts the user's consent between chat and a store that leaves the machine (PostgreSQL). Every chat of this session
/// lives in memory, so chat works and its history is there whatever the consent; chat text is written through to
/// <paramref name="durable"/> only while the consent allows code text (<c>Enabled</c> and <c>StoreContext</c>), read
/// at each write, so a change through <c>workspace/didChangeConfiguration</c> applies to the very next one.
/// <list type="bullet">
/// <item>A chat lives where it started: one started without consent is never uploaded, not even after consent is given
/// (its earlier turns were produced without it); a later turn of a stored chat made without consent stays in memory.</item>
/// <item>Chats of earlier sessions are read from <paramref name="durable"/> and, once used, kept in memory too.</item>
/// <item>Deleting is always passed on: withdrawing consent never keeps data from being removed.</item>
/// <item>What is written has secrets redacted (<see cref="SecretRedactor"/>); memory keeps the text as typed.</item>
/// </list>
/// </summary>
public sealed class ConsentGatedChatStore(IChatStore durable, ConsentPolicy consent) : IChatStore
{
    private readonly InMemoryChatStore _session = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Guid> _stored = [];

    private bool MayStore => consent.Current.Context;

    /// <summary>A change to a chat reaches <c>durable</c> when the chat is stored there and consent allows it now.</summary>
    private bool MayWriteThrough(Guid chatId) => IsStored(chatId) && MayStore;

    public async Task CreateChatAsync(ChatRecord chat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chat);
        if (MayStore)
        {
            await durable.CreateChatAsync(chat with { Title = SecretRedactor.Redact(chat.Title)! }, cancellationToken);
            MarkStored(chat.ChatId);
        }

        await _session.CreateChatAsync(chat, cancellationToken);
    }

    public async Task<ChatRecord?> FindChatAsync(Guid chatId, CancellationToken cancellationToken) =>
        await LoadAsync(chatId, cancellationToken) ? await _session.FindChatAsync(chatId, cancellationToken) : null;

    public async Task<ChatPage> ListChatsAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        var wanted = (page + 1) * pageSize + 1;
        var local = await _session.ListChatsAsync(0, wanted, cancellationToken);
        var stored = await durable.ListChatsAsync(0, wanted, cancellationToken);
        var merged = local.Chats.Concat(stored.Chats.Where(s => local.Chats.All(l => l.ChatId != s.ChatId)))
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.ChatId)
            .Skip(page * pageSize).Take(pageSize + 1).ToList();
        return new ChatPage([.. merged.Take(pageSize)], merged.Count > pageSize ? page + 1 : null);
    }

    public async Task<IReadOnlyList<ChatExchange>> GetExchangesAsync(Guid chatId, CancellationToken cancellationToken) =>
        await LoadAsync(chatId, cancellationToken) ? await _session.GetExchangesAsync(chatId, cancellationToken) : [];

    public async Task AddExchangeAsync(ChatExchange exchange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (MayWriteThrough(exchange.ChatId))
        {
            await durable.AddExchangeAsync(Redacted(exchange), cancellationToken);
        }

        await _session.AddExchangeAsync(exchange, cancellationToken);
    }

    public async Task<bool> RenameChatAsync(Guid chatId, string title, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(chatId, cancellationToken))
        {
            return false;
        }

        if (MayWriteThrough(chatId))
        {
            await durable.RenameChatAsync(chatId, SecretRedactor.Redact(title)!, cancellationToken);
        }

        return await _session.RenameChatAsync(chatId, title, cancellationToken);
    }

    public async Task<bool> DeleteChatAsync(Guid chatId, CancellationToken cancellationToken)
    {
        var stored = await durable.DeleteChatAsync(chatId, cancellationToken);
        var local = await _session.DeleteChatAsync(chatId, cancellationToken);
        return stored || local;
    }

    public async Task<bool> SetFeedbackAsync(Guid chatId, Guid queryId, bool isMistake, string? note, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(chatId, cancellationToken))
        {
            return false;
        }

        if (MayWriteThrough(chatId))
        {
            await durable.SetFeedbackAsync(chatId, queryId, isMistake, SecretRedactor.Redact(note), cancellationToken);
        }

        return await _session.SetFeedbackAsync(chatId, queryId, isMistake, note, cancellationToken);
    }

    /// <summary>True when the chat is the user's and is in memory (read from <c>durable</c> if this session had not used it yet).</summary>
    private async Task<bool> LoadAsync(Guid chatId, CancellationToken cancellationToken)
    {
        if (await _session.FindChatAsync(chatId, cancellationToken) is not null)
        {
            return true;
        }

        if (await durable.FindChatAsync(chatId, cancellationToken) is not { } chat)
        {
            return false;
        }

        var exchanges = await durable.GetExchangesAsync(chatId, cancellationToken);
        if (!_session.TryImport(chat, exchanges))
        {
            return true; // another request loaded it first
        }

        MarkStored(chatId);
        return true;
    }

    private void MarkStored(Guid chatId)
    {
        lock (_gate)
        {
            _stored.Add(chatId);
        }
    }

    private bool IsStored(Guid chatId)
    {
        lock (_gate)
        {
            return _stored.Contains(chatId);
        }
    }

    private static ChatExchange Redacted(ChatExchange exchange) => exchange with
    {
        Message = SecretRedactor.Redact(exchange.Message)!,
        Reply = SecretRedactor.Redact(exchange.Reply)!,
        SelectedText = SecretRedactor.Redact(exchange.SelectedText),
        MistakeNote = SecretRedactor.Redact(exchange.MistakeNote),
        Optimization = exchange.Optimization is { } o ? o with { Summary = SecretRedactor.Redact(o.Summary) } : null,
    };
}
