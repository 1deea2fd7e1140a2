using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Code4me.Lsp.Tests.Chat;

public sealed class ChatServiceTests
{
    private readonly InMemoryChatStore _store = new();
    private readonly ScriptedChatClient _client = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private ChatService Service(Code4me.Lsp.Core.Chat.ChatOptions? options = null, IChatStore? store = null) => new(
        store ?? _store,
        _client,
        new StaticOptions(options ?? new Code4me.Lsp.Core.Chat.ChatOptions { Endpoint = "http://127.0.0.1:1/v1", Model = "m" }),
        _time,
        NullLogger<ChatService>.Instance);

    [Fact]
    public async Task Send_NewChat_StreamsPiecesTitlesAndRecordsProviderUsage()
    {
        _client.Pieces.AddRange(["Use ", "a list."]);
        _client.Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 3 };
        var deltas = new List<string>();

        var reply = await Service().SendAsync(new ChatRequest(null, "How do I\nsort?", null, false), deltas.Add, CancellationToken.None);

        Assert.Equal(["Use ", "a list."], deltas);
        Assert.Equal("Use a list.", reply.Reply);
        Assert.Equal((12, 3, false), (reply.PromptTokens, reply.CompletionTokens, reply.UsageEstimated));
        var chat = await _store.FindChatAsync(reply.ChatId, CancellationToken.None);
        Assert.Equal("How do I", chat!.Title);
        var exchange = Assert.Single(await _store.GetExchangesAsync(reply.ChatId, CancellationToken.None));
        Assert.Equal((ChatOutcome.Completed, "Use a list."), (exchange.Outcome, exchange.Reply));
    }

    private const string GitHubToken = "ghp_0123456789abcdefghijABCDEFGHIJ012345";   // 40 characters: ghp_ and 36

    [Fact]
    public async Task Send_MessageWithASecret_TitleAndProviderPromptCarryNoPartOfIt()
    {
        _client.Pieces.Add("ok");
        var message = $"why does {GitHubToken} not work with curl -H 'Authorization: token …' against the API";

        var reply = await Service().SendAsync(new ChatRequest(null, message, null, false), _ => { }, CancellationToken.None);
        await Service().SendAsync(new ChatRequest(reply.ChatId, "and now?", null, false), _ => { }, CancellationToken.None);

        var chat = await _store.FindChatAsync(reply.ChatId, CancellationToken.None);
        Assert.DoesNotContain("ghp_", chat!.Title, StringComparison.Ordinal);   // cut first, 24 of the 36 characters were left
        Assert.DoesNotContain("0123456789abcdefghij", chat.Title, StringComparison.Ordinal);
        Assert.All(_client.Prompts.SelectMany(p => p), m => Assert.DoesNotContain("0123456789abcdefghij", m.Text, StringComparison.Ordinal));
        Assert.Equal(2, _client.Prompts.Count);
    }

    [Fact]
    public async Task Send_UnredactedMessagesAllowed_ProviderGetsTheMessageAsTyped_TitleStillRedacted()
    {
        _client.Pieces.Add("ok");
        var message = $"token {GitHubToken}";

        var reply = await Service(new() { Endpoint = "http://127.0.0.1:1/v1", Model = "m", SendUnredactedMessages = true })
            .SendAsync(new ChatRequest(null, message, null, false), _ => { }, CancellationToken.None);

        Assert.Equal(message, _client.Prompts[0][^1].Text);
        Assert.DoesNotContain("0123456789abcdefghij", (await _store.FindChatAsync(reply.ChatId, CancellationToken.None))!.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_LaterMessageAfterTheConfigurationChanged_KeepsTheChatsModelSystemPromptAndWindow()
    {
        _client.Pieces.Add("ok");
        var first = await Service(new() { Endpoint = "http://127.0.0.1:1/v1", Model = "m1", SystemPrompt = "sys one", ContextWindowTokens = 8192 })
            .SendAsync(new ChatRequest(null, new string('q', 800), null, false), _ => { }, CancellationToken.None);
        var changed = Service(new() { Endpoint = "http://127.0.0.1:1/v1", Model = "m2", SystemPrompt = "sys two", ContextWindowTokens = 200, MaxTokens = 100 });
        _client.Models.Clear();

        var second = await changed.SendAsync(new ChatRequest(first.ChatId, "again", null, false), _ => { }, CancellationToken.None);
        var fresh = await changed.SendAsync(new ChatRequest(null, "new chat", null, false), _ => { }, CancellationToken.None);

        Assert.Equal(("sys one", 0), (_client.Prompts[1][0].Text, second.DroppedTurns));   // the 8192 window still holds the first turn
        Assert.Equal(["m1", "m1", "m2", "m2"], _client.Models);
        Assert.Equal("sys two", _client.Prompts[2][0].Text);
        var chat = await _store.FindChatAsync(fresh.ChatId, CancellationToken.None);
        Assert.Equal(("http://127.0.0.1:1", "m2", "sys two", 200), (chat!.Provider, chat.Model, chat.SystemPrompt, chat.ContextWindowTokens));
    }

    [Fact]
    public async Task Send_ChatsProviderNoLongerConfigured_IsInvalidInputAndSendsNothing()
    {
        _client.Pieces.Add("ok");
        var first = await Service().SendAsync(new ChatRequest(null, "q", null, false), _ => { }, CancellationToken.None);

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Service(new() { Endpoint = "https://api.example.com/v1", Model = "m" })
            .SendAsync(new ChatRequest(first.ChatId, "q2", null, false), _ => { }, CancellationToken.None));

        Assert.Contains("http://127.0.0.1:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("https://api.example.com", e.Message, StringComparison.Ordinal);
        Assert.Single(_client.Prompts);
    }

    [Theory]
    [InlineData(ChatContextStrategy.Truncate)]
    [InlineData(ChatContextStrategy.Summarize)]
    public async Task Send_ConversationOutgrowsTheWindow_RecordsTheOptimisation(ChatContextStrategy strategy)
    {
        var options = new Code4me.Lsp.Core.Chat.ChatOptions
        {
            Endpoint = "http://127.0.0.1:1/v1", Model = "m", SystemPrompt = "sys", ContextWindowTokens = 400, MaxTokens = 100, ContextStrategy = strategy, SummaryMaxTokens = 150,
        };
        var service = Service(options);
        _client.Pieces.Add(new string('a', 400));
        var first = await service.SendAsync(new ChatRequest(null, new string('q', 400), null, false), _ => { }, CancellationToken.None);
        var second = await service.SendAsync(new ChatRequest(first.ChatId, new string('r', 400), null, false), _ => { }, CancellationToken.None);
        _client.Pieces.Clear();
        _client.Pieces.Add("short");
        _client.Prompts.Clear();

        var third = await service.SendAsync(new ChatRequest(first.ChatId, "third", null, false), _ => { }, CancellationToken.None);

        var optimization = third.Optimization!;
        Assert.Equal(strategy, optimization.Kind);
        var recorded = (await _store.GetExchangesAsync(first.ChatId, CancellationToken.None))[^1].Optimization;
        Assert.Same(optimization, recorded);
        Assert.True(optimization.TokensBefore > optimization.TokensAfter);
        var sent = _client.Prompts[^1];
        if (strategy == ChatContextStrategy.Truncate)
        {
            Assert.Equal([first.QueryId], optimization.AffectedQueryIds);
            Assert.Null(optimization.Summary);
            Assert.Single(_client.Prompts);
            Assert.Equal(["sys", new string('r', 400), new string('a', 400), "third"], [.. sent.Select(m => m.Text)]);
        }
        else
        {
            // The 150-token reserve leaves out the second turn as well; one call summarises both, then the reply.
            Assert.Equal([first.QueryId, second.QueryId], optimization.AffectedQueryIds);
            Assert.Equal("short", optimization.Summary);
            Assert.Equal(2, _client.Prompts.Count);
            Assert.Contains(new string('q', 400), _client.Prompts[0][1].Text, StringComparison.Ordinal);
            Assert.Equal(["sys", ChatPromptBuilder.SummaryPrefix + "short", "third"], [.. sent.Select(m => m.Text)]);
            Assert.Equal(optimization.TokensAfter, ChatPromptBuilder.EstimateTokens("sys") + ChatPromptBuilder.EstimateTokens(ChatPromptBuilder.SummaryPrefix + "short") + ChatPromptBuilder.EstimateTokens("third"));
        }
    }

    [Fact]
    public async Task Send_NoProviderUsage_EstimatesAndSaysSo()
    {
        _client.Pieces.Add("12345678");

        var reply = await Service().SendAsync(new ChatRequest(null, "q", null, false), _ => { }, CancellationToken.None);

        Assert.True(reply.UsageEstimated);
        Assert.Equal(2, reply.CompletionTokens);
    }

    [Fact]
    public async Task Send_NoProvider_ThrowsMessageNamingTheKeys()
    {
        var service = Service(new Code4me.Lsp.Core.Chat.ChatOptions());

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => service.SendAsync(new ChatRequest(null, "q", null, false), _ => { }, CancellationToken.None));

        Assert.Contains("Code4me:Chat:Endpoint", e.Message, StringComparison.Ordinal);
        Assert.Contains("Code4me:Chat:Model", e.Message, StringComparison.Ordinal);
        Assert.Contains("Code4me:Chat:ApiKeyEnvironmentVariable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_Cancelled_RecordsThePartialReplyAndRethrows()
    {
        _client.Pieces.Add("partial");
        using var cancel = new CancellationTokenSource();
        var service = Service();
        var chatId = (await service.SendAsync(new ChatRequest(null, "first", null, false), _ => { }, CancellationToken.None)).ChatId;
        _client.Pieces.Clear();
        _client.Pieces.Add("half an ans");
        _client.HangAfterPieces = new TaskCompletionSource();

        var sending = service.SendAsync(new ChatRequest(chatId, "second", null, false), _ => { }, cancel.Token);
        await _client.HangAfterPieces.Task;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        var last = (await _store.GetExchangesAsync(chatId, CancellationToken.None))[^1];
        Assert.Equal((ChatOutcome.Cancelled, "half an ans"), (last.Outcome, last.Reply));
    }

    [Fact]
    public async Task Send_ProviderFails_RecordsPartialAndThrowsProviderError()
    {
        _client.Pieces.Add("so far");
        _client.FailAfterPieces = new HttpRequestException("connection reset");

        var e = await Assert.ThrowsAsync<ChatProviderException>(() => Service().SendAsync(new ChatRequest(null, "q", null, false), _ => { }, CancellationToken.None));

        Assert.Equal("so far", e.PartialReply);
        Assert.Contains("partial reply was kept", e.Message, StringComparison.Ordinal);
        var chat = Assert.Single((await _store.ListChatsAsync(0, 10, CancellationToken.None)).Chats);
        Assert.Equal(ChatOutcome.Failed, Assert.Single(await _store.GetExchangesAsync(chat.ChatId, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Send_UnknownChat_IsInvalidInput()
    {
        await Assert.ThrowsAsync<InvalidInputException>(() => Service().SendAsync(new ChatRequest(Guid.NewGuid(), "q", null, false), _ => { }, CancellationToken.None));
    }

    [Fact]
    public async Task Chat_OfAnotherUser_CannotBeReadRenamedDeletedOrMarked()
    {
        // A store holds one user's chats (PostgreSQL proves who by the auth token): another user's store does not find them.
        _client.Pieces.Add("a");
        var alice = Service();
        var bob = Service(store: new InMemoryChatStore());
        var reply = await alice.SendAsync(new ChatRequest(null, "mine", null, false), _ => { }, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidInputException>(() => bob.HistoryAsync(reply.ChatId, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => bob.RenameAsync(reply.ChatId, "x", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => bob.DeleteAsync(reply.ChatId, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => bob.FeedbackAsync(reply.ChatId, reply.QueryId, true, null, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidInputException>(() => bob.SendAsync(new ChatRequest(reply.ChatId, "x", null, false), _ => { }, CancellationToken.None));
        Assert.Empty((await bob.ListAsync(0, 10, CancellationToken.None)).Chats);
        Assert.Equal("mine", (await alice.HistoryAsync(reply.ChatId, CancellationToken.None)).Chat.Title);
    }

    [Fact]
    public async Task List_ManyChats_NewestFirstInPages()
    {
        _client.Pieces.Add("a");
        var service = Service();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await service.SendAsync(new ChatRequest(null, $"q{i}", null, false), _ => { }, CancellationToken.None)).ChatId);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await service.ListAsync(0, 2, CancellationToken.None);
        var second = await service.ListAsync(first.NextPage!.Value, 2, CancellationToken.None);

        Assert.Equal([ids[2], ids[1], ids[0]], [.. first.Chats.Concat(second.Chats).Select(c => c.ChatId)]);
        Assert.Null(second.NextPage);
    }

    [Fact]
    public async Task Send_PricesConfigured_ReplyCarriesItsCost()
    {
        _client.Pieces.Add("a");
        _client.Usage = new UsageDetails { InputTokenCount = 2000, OutputTokenCount = 500 };
        var options = new Code4me.Lsp.Core.Chat.ChatOptions { Endpoint = "http://127.0.0.1:1/v1", Model = "m", PricePer1kPromptTokens = 0.5m, PricePer1kCompletionTokens = 2m };

        var reply = await Service(options).SendAsync(new ChatRequest(null, "q", null, false), _ => { }, CancellationToken.None);

        Assert.Equal(2m, reply.Cost);
    }

    [Fact]
    public async Task Feedback_NoteWithoutMistake_IsInvalidInput()
    {
        _client.Pieces.Add("a");
        var service = Service();
        var reply = await service.SendAsync(new ChatRequest(null, "q", null, false), _ => { }, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidInputException>(() => service.FeedbackAsync(reply.ChatId, reply.QueryId, false, "note", CancellationToken.None));
    }

    [Theory]
    [InlineData("  \n  Explain   this\tcode \nmore", "Explain this code")]
    [InlineData("", "New chat")]
    public void TitleFrom_Message_FirstLineCollapsed(string message, string expected) => Assert.Equal(expected, ChatService.TitleFrom(message));

    [Fact]
    public void TitleFrom_LongLine_ClippedToTitleLength()
    {
        var title = ChatService.TitleFrom(new string('x', 200));

        Assert.Equal(ChatService.TitleLength, title.Length);
        Assert.EndsWith("…", title, StringComparison.Ordinal);
    }

    private sealed class StaticOptions(Code4me.Lsp.Core.Chat.ChatOptions value) : IOptionsMonitor<Code4me.Lsp.Core.Chat.ChatOptions>
    {
        public Code4me.Lsp.Core.Chat.ChatOptions CurrentValue => value;

        public Code4me.Lsp.Core.Chat.ChatOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<Code4me.Lsp.Core.Chat.ChatOptions, string?> listener) => null;
    }
}
