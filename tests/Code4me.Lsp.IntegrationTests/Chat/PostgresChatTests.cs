using System.Text.Json;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.Core.Session;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Chat;
using Code4me.Lsp.Storage.Postgres.Reference;
using Code4me.Lsp.Storage.Postgres.Users;
using Microsoft.Extensions.Options;
using Reply = Code4me.Lsp.IntegrationTests.Support.FakeModelServer.Reply;

namespace Code4me.Lsp.IntegrationTests.Chat;

/// <summary>Chats written to and read from real PostgreSQL, through the protocol and through the store.</summary>
public sealed class PostgresChatTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private FakeModelServer _model = null!;

    public async Task InitializeAsync() => _model = await FakeModelServer.StartAsync(output, TimeoutToken.Create());

    public async Task DisposeAsync() => await _model.DisposeAsync();

    [Fact]
    public async Task Chat_DatabaseConfigured_WritesTheSchemaRowsReadsHistoryAndDeleteCascades()
    {
        _model.Enqueue(Reply.ChatSse(["Use ", "sorted()."], usage: (30, 4)));
        await using var server = InProcServer.Start(
            output,
            [$"Code4me:Chat:Endpoint={new Uri(_model.BaseAddress, "v1")}", "Code4me:Chat:Model=fake-chat"],
            services => services.AddCode4meStorage(o => o.Database = fixture.Database.ConnectionString).AddCode4mePostgresChatStore());
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "xs = [3, 1, 2]\n");

        var chat = await server.Client.RequestAsync<ChatResult>(LspMethods.Code4meChat, new
        {
            message = "How do I sort xs?",
            textDocument = new { uri = "file:///w/main.py" },
            range = new { start = new { line = 0, character = 0 }, end = new { line = 0, character = 2 } },
        });
        await server.Client.RequestAsync<JsonElement?>(LspMethods.Code4meChatFeedback, new { chatId = chat.ChatId, queryId = chat.QueryId, isMistake = true, note = "too short" });
        var history = await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = chat.ChatId });

        var ids = new { ChatId = Guid.Parse(chat.ChatId), QueryId = Guid.Parse(chat.QueryId) };
        Assert.Equal("How do I sort xs?", await fixture.Database.ScalarAsync<string>("SELECT title FROM chat WHERE chat_id = @ChatId", ids));
        Assert.Equal("chat|false|How do I sort xs?|xs|/w/main.py|python|manual", await fixture.Database.ScalarAsync<string>("""
            SELECT mq.query_type || '|' || cq.web_enabled || '|' || c.prefix || '|' || c.selected_text || '|' || c.file_name || '|' || pl.language_name || '|' || tt.trigger_type_name
            FROM meta_query mq JOIN chat_query cq USING (meta_query_id) JOIN context c USING (context_id)
            JOIN contextual_telemetry ct USING (contextual_telemetry_id) JOIN programming_language pl USING (language_id) JOIN trigger_type tt USING (trigger_type_id)
            JOIN session s ON s.session_id = mq.session_id JOIN project p ON p.project_id = mq.project_id
            WHERE mq.meta_query_id = @QueryId AND cq.chat_id = @ChatId
            """, ids));
        Assert.Equal("Use sorted().|fake-chat|30|4|true|too short", await fixture.Database.ScalarAsync<string>("""
            SELECT hg.completion || '|' || mn.model_name || '|' || hg.prompt_tokens || '|' || hg.completion_tokens || '|' || hg.is_mistake || '|' || hg.mistake_note
            FROM had_generation hg JOIN model_name mn USING (model_id) WHERE hg.meta_query_id = @QueryId
            """, ids));
        Assert.Equal(
            [("user", "How do I sort xs?", (bool?)null), ("assistant", "Use sorted().", true)],
            [.. history.Messages.Select(m => (m.Role, m.Content, m.IsMistake))]);

        await server.Client.RequestAsync<JsonElement?>(LspMethods.Code4meDeleteChat, new { chatId = chat.ChatId });

        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM chat WHERE chat_id = @ChatId) + (SELECT count(*) FROM meta_query WHERE meta_query_id = @QueryId)
                 + (SELECT count(*) FROM chat_query WHERE chat_id = @ChatId) + (SELECT count(*) FROM had_generation WHERE meta_query_id = @QueryId)
                 + (SELECT count(*) FROM context WHERE prefix = 'How do I sort xs?')
            """, ids));
    }

    [Fact]
    public async Task Store_ChatOfAnotherUser_CannotBeReadRenamedDeletedOrMarked()
    {
        var users = new UserRepository(fixture.Database.DataSource);
        var alice = (await users.CreateAsync("alice-chat@example.org", "Alice", "Correct-Horse-9", TimeoutToken.Create())).UserId;
        var bob = (await users.CreateAsync("bob-chat@example.org", "Bob", "Correct-Horse-9", TimeoutToken.Create())).UserId;
        using var store = new PostgresChatStore(
            fixture.Database.DataSource, new ReferenceData(fixture.Database.DataSource), new TelemetrySession(new NullSink(), TimeProvider.System),
            new EditorSession(), new StaticOptions());
        var now = DateTimeOffset.UtcNow;
        var chat = new ChatRecord(Guid.CreateVersion7(), alice, "Alice's chat", now, "p", "m", "s", 100);
        var queryId = Guid.CreateVersion7();
        await store.CreateChatAsync(chat, TimeoutToken.Create());
        await store.AddExchangeAsync(new ChatExchange(queryId, chat.ChatId, alice, now, "q", "a", "m", ChatOutcome.Completed, 5, 1, 1, true, null, 0, false, null, null), TimeoutToken.Create());

        Assert.Null(await store.FindChatAsync(chat.ChatId, bob, TimeoutToken.Create()));
        Assert.Empty(await store.GetExchangesAsync(chat.ChatId, bob, TimeoutToken.Create()));
        Assert.Empty((await store.ListChatsAsync(bob, 0, 10, TimeoutToken.Create())).Chats);
        Assert.False(await store.RenameChatAsync(chat.ChatId, bob, "mine now", TimeoutToken.Create()));
        Assert.False(await store.SetFeedbackAsync(chat.ChatId, queryId, bob, true, "x", TimeoutToken.Create()));
        Assert.False(await store.DeleteChatAsync(chat.ChatId, bob, TimeoutToken.Create()));
        Assert.Equal("Alice's chat", (await store.FindChatAsync(chat.ChatId, alice, TimeoutToken.Create()))!.Title);
        var exchange = Assert.Single(await store.GetExchangesAsync(chat.ChatId, alice, TimeoutToken.Create()));
        Assert.Equal(("q", "a", false, true), (exchange.Message, exchange.Reply, exchange.IsMistake, exchange.UsageEstimated));
    }

    private sealed class NullSink : ITelemetrySink
    {
        public void Enqueue(TelemetryEvent telemetryEvent)
        {
        }
    }

    private sealed class StaticOptions : IOptionsMonitor<Core.Chat.ChatOptions>
    {
        public Core.Chat.ChatOptions CurrentValue { get; } = new();

        public Core.Chat.ChatOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<Core.Chat.ChatOptions, string?> listener) => null;
    }
}
