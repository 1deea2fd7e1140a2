using System.ClientModel;
using System.Diagnostics;
using System.Text;
using Code4me.Lsp.Core.Privacy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Core.Chat;

/// <summary>
/// Chat over any <see cref="IChatClient"/>: builds the prompt, streams the reply (each piece to a callback), and
/// records every exchange — completed, cancelled or failed, with what arrived — in the <see cref="IChatStore"/>.
/// </summary>
public sealed partial class ChatService(
    IChatStore store,
    IChatClientFactory clients,
    IOptionsMonitor<ChatOptions> options,
    TimeProvider time,
    ILogger<ChatService> logger)
{
    public const int TitleLength = 60;

    public static string NotConfiguredMessage =>
        $"No chat provider is configured. Set {ChatOptions.SectionName}:Endpoint (the base URL of an OpenAI-compatible server, e.g. "
        + $"http://127.0.0.1:8080/v1 or https://api.openai.com/v1) and {ChatOptions.SectionName}:Model (e.g. gpt-4o-mini), and if the server "
        + $"needs a key, {ChatOptions.SectionName}:ApiKeyEnvironmentVariable (the NAME of the environment variable that holds it). "
        + "Use appsettings.json, environment variables (Code4me__Chat__Endpoint), --config Code4me:Chat:Endpoint=…, "
        + "or the editor's settings ({ \"chat\": { \"endpoint\": …, \"model\": … } }).";

    /// <summary>
    /// Sends a message and streams the reply. Cancellation records the partial reply and rethrows; a provider failure
    /// records it and throws <see cref="ChatProviderException"/>.
    /// </summary>
    public async Task<ChatReply> SendAsync(ChatRequest request, Action<string> onDelta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onDelta);
        if (string.IsNullOrWhiteSpace(request.Message))
        {
            throw new InvalidInputException("The chat message is empty.");
        }

        var settings = options.CurrentValue;
        if (!settings.IsConfigured)
        {
            throw new InvalidInputException(NotConfiguredMessage);
        }

        var now = time.GetUtcNow();
        ChatRecord chat;
        IReadOnlyList<ChatExchange> history;
        if (request.ChatId is { } id)
        {
            chat = await store.FindChatAsync(id, cancellationToken) ?? throw UnknownChat(id);
            if (!string.Equals(chat.Provider, ProviderName(settings), StringComparison.OrdinalIgnoreCase))
            {
                // The key in the configuration belongs to the configured provider: never send it to the chat's old one.
                throw new InvalidInputException(
                    $"Chat '{id}' was started with the provider {chat.Provider}, but {ChatOptions.SectionName}:Endpoint now points at "
                    + $"{ProviderName(settings)}. A chat keeps its provider and model: start a new chat, or configure {chat.Provider} again.");
            }

            history = await store.GetExchangesAsync(id, cancellationToken);
        }
        else
        {
            chat = new ChatRecord(Guid.CreateVersion7(now), TitleFrom(SecretRedactor.Redact(request.Message)!), now, ProviderName(settings), settings.Model!, settings.SystemPrompt, settings.ContextWindowTokens);
            await store.CreateChatAsync(chat, cancellationToken);
            history = [];
        }

        // The chat's own model, system prompt and window; the endpoint, key, temperature and limits of now.
        var effective = settings.WithModel(chat.Model);
        var summarize = settings.ContextStrategy == ChatContextStrategy.Summarize;
        var prompt = ChatPromptBuilder.Build(
            effective, chat.SystemPrompt, chat.ContextWindowTokens, request.Code, history, request.Message, summarize ? settings.SummaryMaxTokens : 0);
        if (prompt.DroppedTurns > 0)
        {
            LogTruncated(chat.ChatId, prompt.DroppedTurns);
        }

        var queryId = Guid.CreateVersion7(now);
        var reply = new StringBuilder();
        UsageDetails? usage = null;
        ChatContextOptimization? optimization = null;
        var model = chat.Model;
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        var chatOptions = new Microsoft.Extensions.AI.ChatOptions { ModelId = chat.Model, Temperature = settings.Temperature, MaxOutputTokens = settings.MaxTokens };

        ChatExchange Record(ChatOutcome outcome)
        {
            var estimated = usage?.InputTokenCount is null || usage.OutputTokenCount is null;
            var promptTokens = (int)(usage?.InputTokenCount ?? prompt.EstimatedTokens);
            var completionTokens = (int)(usage?.OutputTokenCount ?? ChatPromptBuilder.EstimateTokens(reply.ToString()));
            return new ChatExchange(
                queryId, chat.ChatId, now, request.Message, reply.ToString(), model, outcome,
                (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds, promptTokens, completionTokens, estimated,
                Cost(settings, promptTokens, completionTokens), prompt.DroppedTurns, request.WebEnabled,
                request.Code?.FileName, request.Code?.SelectedText, LanguageId: request.Code?.LanguageId, Optimization: optimization);
        }

        try
        {
            using var client = clients.Create(effective);
            if (prompt.DroppedTurns > 0)
            {
                var summary = summarize ? await SummarizeAsync(client, chat, effective, prompt.Dropped, settings.SummaryMaxTokens, timeout.Token) : null;
                if (summary is not null)
                {
                    prompt = ChatPromptBuilder.WithSummary(prompt, summary);
                }

                optimization = new ChatContextOptimization(
                    Guid.CreateVersion7(now), summary is null ? ChatContextStrategy.Truncate : ChatContextStrategy.Summarize,
                    prompt.TokensBefore, prompt.EstimatedTokens, summary, [.. prompt.Dropped.Select(d => d.QueryId)]);
            }

            await foreach (var update in client.GetStreamingResponseAsync(prompt.Messages, chatOptions, timeout.Token).WithCancellation(timeout.Token))
            {
                model = update.ModelId ?? model;
                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent { Text: { Length: > 0 } text }:
                            reply.Append(text);
                            onDelta(text);
                            break;
                        case UsageContent { Details: var details }:
                            usage = details;
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await store.AddExchangeAsync(Record(ChatOutcome.Cancelled), CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            await store.AddExchangeAsync(Record(ChatOutcome.Failed), CancellationToken.None);
            throw new ChatProviderException($"The chat provider did not finish within {settings.TimeoutSeconds} s ({ChatOptions.SectionName}:TimeoutSeconds); the partial reply was kept.", e) { PartialReply = reply.ToString() };
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or IOException or InvalidOperationException or System.Text.Json.JsonException)
        {
            await store.AddExchangeAsync(Record(ChatOutcome.Failed), CancellationToken.None);
            var reason = Describe(e);
            LogProviderFailed(chat.ChatId, reason);
            LogFailureDetail(e, chat.ChatId);
            throw new ChatProviderException(reason + (reply.Length > 0 ? " The partial reply was kept." : ""), e) { PartialReply = reply.ToString() };
        }

        var exchange = Record(ChatOutcome.Completed);
        await store.AddExchangeAsync(exchange, CancellationToken.None);
        return new ChatReply(chat.ChatId, queryId, exchange.Reply, model, exchange.PromptTokens, exchange.CompletionTokens, exchange.UsageEstimated, exchange.Cost, exchange.DroppedTurns, optimization);
    }

    public Task<ChatPage> ListAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        if (page < 0 || pageSize is < 1 or > 200)
        {
            throw new InvalidInputException("page must be ≥ 0 and pageSize between 1 and 200.");
        }

        return store.ListChatsAsync(page, pageSize, cancellationToken);
    }

    public async Task<(ChatRecord Chat, IReadOnlyList<ChatExchange> Exchanges)> HistoryAsync(Guid chatId, CancellationToken cancellationToken)
    {
        var chat = await store.FindChatAsync(chatId, cancellationToken) ?? throw UnknownChat(chatId);
        return (chat, await store.GetExchangesAsync(chatId, cancellationToken));
    }

    public async Task RenameAsync(Guid chatId, string title, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new InvalidInputException("A chat title cannot be empty.");
        }

        if (!await store.RenameChatAsync(chatId, title.Trim(), cancellationToken))
        {
            throw UnknownChat(chatId);
        }
    }

    public async Task DeleteAsync(Guid chatId, CancellationToken cancellationToken)
    {
        if (!await store.DeleteChatAsync(chatId, cancellationToken))
        {
            throw UnknownChat(chatId);
        }
    }

    public async Task FeedbackAsync(Guid chatId, Guid queryId, bool isMistake, string? note, CancellationToken cancellationToken)
    {
        if (note is not null && !isMistake)
        {
            throw new InvalidInputException("A note can only be given when isMistake is true.");
        }

        if (!await store.SetFeedbackAsync(chatId, queryId, isMistake, note, cancellationToken))
        {
            throw new InvalidInputException($"Unknown chat '{chatId}' or query '{queryId}' (not one of this user's replies).");
        }
    }

    /// <summary>
    /// The first line of the first message, whitespace collapsed, at most <see cref="TitleLength"/> characters. Callers
    /// pass the message already redacted: cut first, a secret would be left too short for the redactor to recognise.
    /// </summary>
    public static string TitleFrom(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var line = message.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "New chat";
        line = string.Join(' ', line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= TitleLength ? line : line[..(TitleLength - 1)].TrimEnd() + "…";
    }

    internal static decimal? Cost(ChatOptions settings, int promptTokens, int completionTokens) =>
        settings.PricePer1kPromptTokens is null && settings.PricePer1kCompletionTokens is null
            ? null
            : (promptTokens * (settings.PricePer1kPromptTokens ?? 0m) + completionTokens * (settings.PricePer1kCompletionTokens ?? 0m)) / 1000m;

    /// <summary>
    /// Summarises the turns left out with the chat's provider and model. A failure of this call (not a cancellation)
    /// falls back to truncation: the summary is an improvement, not a reason to fail the message.
    /// </summary>
    private async Task<string?> SummarizeAsync(IChatClient client, ChatRecord chat, ChatOptions settings, IReadOnlyList<ChatExchange> dropped, int maxTokens, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetStreamingResponseAsync(
                ChatPromptBuilder.SummaryRequest(settings, dropped, maxTokens),
                new Microsoft.Extensions.AI.ChatOptions { ModelId = chat.Model, MaxOutputTokens = maxTokens },
                cancellationToken).ToChatResponseAsync(cancellationToken);
            var text = response.Text.Trim();
            var limit = maxTokens * 4;
            return text.Length == 0 ? null : text.Length <= limit ? text : text[..limit];
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or IOException or InvalidOperationException or System.Text.Json.JsonException)
        {
            var reason = Describe(e);
            LogSummaryFailed(chat.ChatId, reason);
            LogFailureDetail(e, chat.ChatId);
            return null;
        }
    }

    /// <summary>The provider a chat is bound to: the endpoint's scheme, host and port (never a path, user or key).</summary>
    public static string ProviderName(ChatOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Uri.TryCreate(settings.Endpoint, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}" : "openai-compatible";
    }

    private static InvalidInputException UnknownChat(Guid chatId) => new($"Unknown chat '{chatId}' (deleted, or not one of this user's chats).");

    private static string Describe(Exception e) => e switch
    {
        ClientResultException { Status: 429 } => "The chat provider is rate-limiting requests (HTTP 429); try again in a moment.",
        ClientResultException { Status: 401 or 403 } r => $"The chat provider refused the credentials (HTTP {r.Status}); check the key in the variable named by {ChatOptions.SectionName}:ApiKeyEnvironmentVariable.",
        ClientResultException { Status: > 0 } r => $"The chat provider answered HTTP {r.Status}: {FirstLine(r.Message)}",
        _ => $"The chat provider could not be reached or sent a broken answer ({e.GetType().Name}: {FirstLine(e.Message)}).",
    };

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat {ChatId}: {Dropped} older exchanges left out of the prompt (context window)")]
    private partial void LogTruncated(Guid chatId, int dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat {ChatId}: summarising older turns failed ({Reason}); they are left out instead")]
    private partial void LogSummaryFailed(Guid chatId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat {ChatId}: the provider failed: {Reason}")]
    private partial void LogProviderFailed(Guid chatId, string reason);

    // An expected failure is one line above; its exception (and stack trace) only for whoever turns Debug on.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Chat {ChatId}: provider failure in detail")]
    private partial void LogFailureDetail(Exception exception, Guid chatId);
}
