using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Tests.Chat;

public sealed class ConsentGatedChatStoreTests
{
    private const string AwsKey = "AKIAQWERTYUIOPASDFGH";
    private static readonly DateTimeOffset s_now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly InMemoryChatStore _durable = new();
    private readonly MutableConsent _consent = new();
    private readonly ConsentGatedChatStore _store;

    public ConsentGatedChatStoreTests() =>
        _store = new ConsentGatedChatStore(_durable, new ConsentPolicy(_consent, SecretFileMatcher.For(SecretOptions.DefaultFilePatterns)));

    private static ChatRecord NewChat(string title = "t", int minutes = 0) => new(Guid.CreateVersion7(), title, s_now.AddMinutes(minutes), "http://p", "m", "s", 100);

    private static ChatExchange Exchange(ChatRecord chat, string message) =>
        new(Guid.CreateVersion7(), chat.ChatId, s_now, message, "reply to " + message, "m", ChatOutcome.Completed, 1, 1, 1, false, null, 0, false, null, null);

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Chat_ConsentOffOrStoreContextOff_WorksInTheSessionAndWritesNothing(bool enabled, bool storeContext)
    {
        _consent.CurrentValue = new ConsentOptions { Enabled = enabled, StoreContext = storeContext, StoreContextual = true, StoreBehavioral = true };
        var chat = NewChat();

        await _store.CreateChatAsync(chat, CancellationToken.None);
        await _store.AddExchangeAsync(Exchange(chat, "q1"), CancellationToken.None);
        await _store.RenameChatAsync(chat.ChatId, "renamed", CancellationToken.None);

        Assert.Equal("renamed", (await _store.FindChatAsync(chat.ChatId, CancellationToken.None))!.Title);
        Assert.Equal("q1", Assert.Single(await _store.GetExchangesAsync(chat.ChatId, CancellationToken.None)).Message);
        Assert.Empty((await _durable.ListChatsAsync(0, 10, CancellationToken.None)).Chats);
    }

    [Fact]
    public async Task Chat_ConsentGiven_WritesThroughWithSecretsRedacted()
    {
        _consent.CurrentValue = new ConsentOptions { Enabled = true, StoreContext = true };
        var chat = NewChat();

        await _store.CreateChatAsync(chat, CancellationToken.None);
        await _store.AddExchangeAsync(Exchange(chat, $"my key is {AwsKey}"), CancellationToken.None);

        var stored = Assert.Single(await _durable.GetExchangesAsync(chat.ChatId, CancellationToken.None));
        Assert.DoesNotContain(AwsKey, stored.Message, StringComparison.Ordinal);
        Assert.Contains("«redacted:aws-access-key»", stored.Message, StringComparison.Ordinal);
        Assert.Contains(AwsKey, Assert.Single(await _store.GetExchangesAsync(chat.ChatId, CancellationToken.None)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ConsentWithdrawnMidChat_LaterTurnsStayInTheSessionOnly()
    {
        _consent.CurrentValue = new ConsentOptions { Enabled = true, StoreContext = true };
        var chat = NewChat();
        await _store.CreateChatAsync(chat, CancellationToken.None);
        await _store.AddExchangeAsync(Exchange(chat, "q1"), CancellationToken.None);

        _consent.CurrentValue = new ConsentOptions { Enabled = false };
        await _store.AddExchangeAsync(Exchange(chat, "q2"), CancellationToken.None);
        await _store.RenameChatAsync(chat.ChatId, "private title", CancellationToken.None);

        Assert.Equal(["q1"], (await _durable.GetExchangesAsync(chat.ChatId, CancellationToken.None)).Select(e => e.Message));
        Assert.Equal("t", (await _durable.FindChatAsync(chat.ChatId, CancellationToken.None))!.Title);
        Assert.Equal(["q1", "q2"], (await _store.GetExchangesAsync(chat.ChatId, CancellationToken.None)).Select(e => e.Message));
    }

    [Fact]
    public async Task Chat_StartedWithoutConsent_IsNotUploadedWhenConsentIsGivenLater()
    {
        var chat = NewChat();
        await _store.CreateChatAsync(chat, CancellationToken.None);
        await _store.AddExchangeAsync(Exchange(chat, "q1"), CancellationToken.None);

        _consent.CurrentValue = new ConsentOptions { Enabled = true, StoreContext = true };
        await _store.AddExchangeAsync(Exchange(chat, "q2"), CancellationToken.None);

        Assert.Null(await _durable.FindChatAsync(chat.ChatId, CancellationToken.None));
        Assert.Equal(2, (await _store.GetExchangesAsync(chat.ChatId, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Chat_OfAnEarlierSession_IsReadFromTheDurableStoreListedAndDeletedWithoutConsent()
    {
        var earlier = NewChat("earlier");
        await _durable.CreateChatAsync(earlier, CancellationToken.None);
        await _durable.AddExchangeAsync(Exchange(earlier, "old question"), CancellationToken.None);
        var now = NewChat("now", minutes: 1);
        await _store.CreateChatAsync(now, CancellationToken.None);

        var list = await _store.ListChatsAsync(0, 10, CancellationToken.None);
        var history = await _store.GetExchangesAsync(earlier.ChatId, CancellationToken.None);
        var deleted = await _store.DeleteChatAsync(earlier.ChatId, CancellationToken.None);

        Assert.Equal(["now", "earlier"], list.Chats.Select(c => c.Title));
        Assert.Equal("old question", Assert.Single(history).Message);
        Assert.True(deleted);
        Assert.Null(await _durable.FindChatAsync(earlier.ChatId, CancellationToken.None));
        Assert.Null(await _store.FindChatAsync(earlier.ChatId, CancellationToken.None));
    }

    private sealed class MutableConsent : IOptionsMonitor<ConsentOptions>
    {
        public ConsentOptions CurrentValue { get; set; } = new();

        public ConsentOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<ConsentOptions, string?> listener) => null;
    }
}
