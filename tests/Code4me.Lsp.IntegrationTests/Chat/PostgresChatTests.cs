using System.Text.Json;
using Code4me.Lsp.Core.Chat;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.IntegrationTests.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Code4me.Lsp.Storage;
using Code4me.Lsp.Storage.Postgres.Chat;
using Code4me.Lsp.Storage.Postgres.Users;
using Dapper;
using Npgsql;
using Reply = Code4me.Lsp.IntegrationTests.Support.FakeModelServer.Reply;

namespace Code4me.Lsp.IntegrationTests.Chat;

/// <summary>Chats written to and read from real PostgreSQL, through the protocol and through the store.</summary>
public sealed class PostgresChatTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private FakeModelServer _model = null!;

    public async Task InitializeAsync() => _model = await FakeModelServer.StartAsync(output, TimeoutToken.Create());

    public async Task DisposeAsync() => await _model.DisposeAsync();

    private string Endpoint => new Uri(_model.BaseAddress, "v1").ToString();

    private string Provider => $"http://{_model.BaseAddress.Authority}";

    private InProcServer Start(params string[] config) => StartAs(null, config);

    private InProcServer StartAs(Guid? authToken, params string[] config) => InProcServer.Start(
        output,
        [$"Code4me:Chat:Endpoint={Endpoint}", "Code4me:Chat:Model=fake-chat", .. config],
        services => services.AddCode4meStorage(o =>
        {
            o.Database = fixture.Database.ConnectionString;
            o.AuthToken = authToken;
        }).AddCode4mePostgresChatStore());

    private static Task<ChatResult> ChatAsync(InProcServer server, object parameters) => server.Client.RequestAsync<ChatResult>(LspMethods.Code4meChat, parameters);

    private async Task<CreatedUser> NewUserAsync(string name) =>
        await new UserRepository(fixture.Database.DataSource).CreateAsync($"{name}-{Guid.NewGuid():N}@example.org", name, "Correct-Horse-9", TimeoutToken.Create());

    [Fact]
    public async Task Chat_FullConsent_WritesEveryFieldReadsHistoryAndDeleteCascades()
    {
        _model.Enqueue(Reply.ChatSse(["Use ", "sorted()."], usage: (30, 4)), Reply.ChatSse(["Yes."], usage: (50, 2)));
        await using var server = Start([
            .. TelemetryThroughProtocolTests.FullConsent, "Code4me:Chat:SystemPrompt=Be brief.", "Code4me:Chat:ContextWindowTokens=4096",
            "Code4me:Chat:PricePer1kPromptTokens=0.5", "Code4me:Chat:PricePer1kCompletionTokens=2"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "xs = [3, 1, 2]\n");

        var chat = await ChatAsync(server, new
        {
            message = "How do I sort xs?",
            textDocument = new { uri = "file:///w/main.py" },
            range = new { start = new { line = 0, character = 0 }, end = new { line = 0, character = 2 } },
            webEnabled = true,
        });
        var second = await ChatAsync(server, new { chatId = chat.ChatId, message = "In place?" });
        await server.Client.RequestAsync<JsonElement?>(LspMethods.Code4meChatFeedback, new { chatId = chat.ChatId, queryId = chat.QueryId, isMistake = true, note = "too short" });
        var history = await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = chat.ChatId });

        var ids = new { ChatId = Guid.Parse(chat.ChatId), QueryId = Guid.Parse(chat.QueryId), SecondId = Guid.Parse(second.QueryId) };
        Assert.Equal($"How do I sort xs?|{Provider}|fake-chat|Be brief.|4096|true|true", await fixture.Database.ScalarAsync<string>("""
            SELECT c.title || '|' || c.provider || '|' || m.model_name || '|' || c.system_prompt || '|' || c.context_window_tokens
                   || '|' || (c.user_id IS NULL)
                   || '|' || EXISTS (SELECT FROM session s WHERE s.session_id = c.session_id AND s.installation_id IS NOT NULL)
            FROM chat c JOIN model_name m USING (model_id) WHERE c.chat_id = @ChatId
            """, ids));
        Assert.Equal("chat|true|completed|How do I sort xs?|xs|/w/main.py|python|manual", await fixture.Database.ScalarAsync<string>("""
            SELECT mq.query_type || '|' || cq.web_enabled || '|' || cq.outcome || '|' || c.prefix || '|' || c.selected_text || '|' || c.file_name
                   || '|' || pl.language_name || '|' || tt.trigger_type_name
            FROM meta_query mq JOIN chat_query cq USING (meta_query_id) JOIN context c USING (context_id)
            JOIN contextual_telemetry ct USING (contextual_telemetry_id) JOIN programming_language pl USING (language_id) JOIN trigger_type tt USING (trigger_type_id)
            JOIN session s ON s.session_id = mq.session_id JOIN project p ON p.project_id = mq.project_id
            WHERE mq.meta_query_id = @QueryId AND cq.chat_id = @ChatId
            """, ids));
        // cost = (30 × 0.5 + 4 × 2) / 1000 and (50 × 0.5 + 2 × 2) / 1000
        Assert.Equal(
            ["Use sorted().|fake-chat|30|4|0.023000|true|too short", "Yes.|fake-chat|50|2|0.029000|false|"],
            (await QueryAsync<string>("""
                SELECT hg.completion || '|' || mn.model_name || '|' || hg.prompt_tokens || '|' || hg.completion_tokens || '|' || hg.cost
                       || '|' || hg.is_mistake || '|' || coalesce(hg.mistake_note, '')
                FROM had_generation hg JOIN model_name mn USING (model_id) WHERE hg.meta_query_id IN (@QueryId, @SecondId) ORDER BY hg.meta_query_id
                """, ids)));
        Assert.Equal((Provider, 4096, "fake-chat"), (history.Provider, history.ContextWindowTokens, history.Model));
        Assert.Equal(
            [("user", "How do I sort xs?", (bool?)null), ("assistant", "Use sorted().", true), ("user", "In place?", null), ("assistant", "Yes.", false)],
            [.. history.Messages.Select(m => (m.Role, m.Content, m.IsMistake))]);

        await server.Client.RequestAsync<JsonElement?>(LspMethods.Code4meDeleteChat, new { chatId = chat.ChatId });

        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM chat WHERE chat_id = @ChatId) + (SELECT count(*) FROM meta_query WHERE meta_query_id IN (@QueryId, @SecondId))
                 + (SELECT count(*) FROM chat_query WHERE chat_id = @ChatId) + (SELECT count(*) FROM had_generation WHERE meta_query_id IN (@QueryId, @SecondId))
                 + (SELECT count(*) FROM context WHERE prefix IN ('How do I sort xs?', 'In place?'))
                 + (SELECT count(*) FROM chat_context_optimization WHERE chat_id = @ChatId)
            """, ids));
    }

    [Fact]
    public async Task Chat_ContinuedInANewSessionAfterTheConfigurationChanged_UsesTheChatsStoredSettings()
    {
        var user = await NewUserAsync("settings");
        _model.Enqueue(Reply.ChatSse(["first"]), Reply.ChatSse(["second"]));
        string chatId;
        await using (var before = StartAs(user.AuthToken, [.. TelemetryThroughProtocolTests.FullConsent, "Code4me:Chat:SystemPrompt=Prompt A."]))
        {
            await before.Client.InitializedAsync();
            chatId = (await ChatAsync(before, new { message = "q1" })).ChatId;
        }

        await using var after = StartAs(user.AuthToken, [
            .. TelemetryThroughProtocolTests.FullConsent, "Code4me:Chat:SystemPrompt=Prompt B.", "Code4me:Chat:Model=other-model"]);
        await after.Client.InitializedAsync();
        var list = await after.Client.RequestAsync<ChatList>(LspMethods.Code4meChats, new { });
        var reply = await ChatAsync(after, new { chatId, message = "q2" });
        var history = await after.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId });

        Assert.Equal(chatId, Assert.Single(list.Chats).ChatId);
        var sent = _model.Received.Last().Body;
        Assert.Equal("fake-chat", sent.GetProperty("model").GetString());
        Assert.Equal(["Prompt A.", "q1", "first", "q2"], sent.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(("second", "fake-chat"), (reply.Reply, history.Model));
        Assert.Equal(["q1", "first", "q2", "second"], history.Messages.Select(m => m.Content));
        // The rows carry the user the auth token resolves to.
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM meta_query mq JOIN chat_query cq USING (meta_query_id) JOIN chat c USING (chat_id) WHERE c.chat_id = @ChatId AND c.user_id = @User AND mq.user_id = @User",
            new { ChatId = Guid.Parse(chatId), User = user.UserId }));
    }

    [Theory]
    [InlineData("Truncate")]
    [InlineData("Summarize")]
    public async Task Chat_ConversationOutgrowsTheWindow_RecordsTheOptimisation(string strategy)
    {
        var summarize = strategy == "Summarize";
        var big = new string('x', 400);   // 100 tokens by the estimate
        _model.Enqueue(Reply.ChatSse([big]), Reply.ChatSse([big]));
        if (summarize)
        {
            _model.Enqueue(Reply.ChatSse(["They discussed x."]));
        }

        _model.Enqueue(Reply.ChatSse(["done"]));
        await using var server = Start([
            .. TelemetryThroughProtocolTests.FullConsent, "Code4me:Chat:SystemPrompt=sys", "Code4me:Chat:ContextWindowTokens=500", "Code4me:Chat:MaxTokens=100",
            $"Code4me:Chat:ContextStrategy={strategy}", "Code4me:Chat:SummaryMaxTokens=200"]);
        await server.Client.InitializedAsync();
        var first = await ChatAsync(server, new { message = "a" + big });
        var second = await ChatAsync(server, new { chatId = first.ChatId, message = "b" + big });
        var third = await ChatAsync(server, new { chatId = first.ChatId, message = "third" });

        Assert.Equal(summarize ? "summarization" : "truncation", third.ContextOptimization);
        var ids = new { QueryId = Guid.Parse(third.QueryId), ChatId = Guid.Parse(first.ChatId) };
        var row = await fixture.Database.ScalarAsync<string>("""
            SELECT o.trigger_reason || '|' || o.optimization_type || '|' || o.tokens_before || '|' || o.tokens_after || '|' || coalesce(o.summary, '-')
                   || '|' || array_to_string(o.affected_queries, ',') || '|' || (o.created_at = mq."timestamp")
            FROM chat_context_optimization o JOIN meta_query mq USING (meta_query_id)
            WHERE o.meta_query_id = @QueryId AND o.chat_id = @ChatId
            """, ids);
        // sys 1 + third 2 + two turns of 101 + 100 each: 405 before; the 400-token budget keeps the newest turn (or, with the
        // 200-token summary reserve, none of them, plus the summary).
        Assert.Equal(
            summarize
                ? $"token_limit|summarization|405|{3 + ChatPromptBuilder.EstimateTokens(ChatPromptBuilder.SummaryPrefix + "They discussed x.")}|They discussed x.|{first.QueryId},{second.QueryId}|true"
                : $"token_limit|truncation|405|204|-|{first.QueryId}|true",
            row);
        Assert.Equal(summarize ? 2 : 1, third.TruncatedTurns);
        var sent = _model.Received.Last().Body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()!).ToList();
        Assert.Equal(
            summarize ? ["sys", ChatPromptBuilder.SummaryPrefix + "They discussed x.", "third"] : ["sys", "b" + big, big, "third"],
            sent);
    }

    [Fact]
    public async Task Chat_ConsentOffThenGivenThenStoreContextOff_OnlyTheConsentedChatReachesPostgres()
    {
        var user = await NewUserAsync("consent");
        _model.Enqueue(Reply.ChatSse(["one"]), Reply.ChatSse(["two"]), Reply.ChatSse(["three"]), Reply.ChatSse(["four"]));
        await using var server = StartAs(user.AuthToken);   // consent: the default, off
        await server.Client.InitializedAsync();
        var count = () => fixture.Database.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM chat WHERE user_id = @User) + (SELECT count(*) FROM meta_query WHERE user_id = @User)
            """, new { User = user.UserId });

        var offline = await ChatAsync(server, new { message = "not for research" });
        var offlineHistory = await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = offline.ChatId });
        var withConsentOff = await count();

        await ChangeSettingsAsync(server, new { telemetry = new { consent = new { enabled = true, storeContext = true } } });
        var consented = await ChatAsync(server, new { message = "for research" });
        await ChatAsync(server, new { chatId = offline.ChatId, message = "still private" });
        var withConsent = await count();

        await ChangeSettingsAsync(server, new { telemetry = new { consent = new { enabled = true, storeContext = false } } });
        await ChatAsync(server, new { chatId = consented.ChatId, message = "after withdrawal" });
        var history = await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = consented.ChatId });

        Assert.Equal(0L, withConsentOff);
        Assert.Equal(["not for research", "one"], offlineHistory.Messages.Select(m => m.Content));
        Assert.Equal(2L, withConsent);   // the consented chat and its one exchange; the private chat stays private
        Assert.Equal(2L, await count());
        Assert.Equal(["for research"], await QueryAsync<string>(
            "SELECT c.prefix FROM meta_query mq JOIN context c USING (context_id) WHERE mq.user_id = @User", new { User = user.UserId }));
        Assert.Equal(["for research", "two", "after withdrawal", "four"], history.Messages.Select(m => m.Content));
    }

    [Fact]
    public async Task WriterRole_ThroughTheFunctions_ReadsAndChangesItsUsersChatsOnly()
    {
        var alice = await NewUserAsync("alice");
        var bob = await NewUserAsync("bob");
        var writer = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        using var aliceStore = NewStore(writer, alice.AuthToken);
        using var bobStore = NewStore(writer, bob.AuthToken);
        var chat = new ChatRecord(Guid.CreateVersion7(), "Alice's chat", DateTimeOffset.UtcNow, "http://p", "m", "sys", 100);
        var queryId = Guid.CreateVersion7();
        await aliceStore.CreateChatAsync(chat, TimeoutToken.Create());
        await aliceStore.AddExchangeAsync(Exchange(chat, queryId), TimeoutToken.Create());

        var found = await aliceStore.FindChatAsync(chat.ChatId, TimeoutToken.Create());
        var exchange = Assert.Single(await aliceStore.GetExchangesAsync(chat.ChatId, TimeoutToken.Create()));
        var listed = await aliceStore.ListChatsAsync(0, 10, TimeoutToken.Create());
        var renamed = await aliceStore.RenameChatAsync(chat.ChatId, "Renamed", TimeoutToken.Create());
        var marked = await aliceStore.SetFeedbackAsync(chat.ChatId, queryId, true, "wrong", TimeoutToken.Create());

        Assert.Equal(("http://p", "m", "sys", 100), (found!.Provider, found.Model, found.SystemPrompt, found.ContextWindowTokens));
        Assert.Equal(("q", "a", ChatOutcome.Cancelled, 0.5m), (exchange.Message, exchange.Reply, exchange.Outcome, exchange.Cost));
        Assert.Equal(chat.ChatId, Assert.Single(listed.Chats).ChatId);
        Assert.True(renamed && marked);
        // Every row the store wrote carries the user the token resolves to.
        Assert.Equal(3L, await fixture.Database.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM chat WHERE chat_id = @ChatId AND user_id = @User)
                 + (SELECT count(*) FROM meta_query WHERE meta_query_id = @QueryId AND user_id = @User)
                 + (SELECT count(*) FROM session s JOIN chat c USING (session_id) WHERE c.chat_id = @ChatId AND s.user_id = @User)
            """, new { chat.ChatId, QueryId = queryId, User = alice.UserId }));
        Assert.Null(await bobStore.FindChatAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Empty(await bobStore.GetExchangesAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Empty((await bobStore.ListChatsAsync(0, 10, TimeoutToken.Create())).Chats);
        Assert.False(await bobStore.RenameChatAsync(chat.ChatId, "mine now", TimeoutToken.Create()));
        Assert.False(await bobStore.SetFeedbackAsync(chat.ChatId, queryId, false, null, TimeoutToken.Create()));
        Assert.False(await bobStore.DeleteChatAsync(chat.ChatId, TimeoutToken.Create()));
        await using (var connection = await writer.OpenConnectionAsync(TimeoutToken.Create()))
        {
            var denied = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM chat", cancellationToken: TimeoutToken.Create())));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        }

        Assert.True(await aliceStore.DeleteChatAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM chat WHERE chat_id = @Id", new { Id = chat.ChatId }));
    }

    [Fact]
    public async Task Store_TokenOfAnAccountDeletedWithAllItsData_WritesNothing()
    {
        var carol = await NewUserAsync("carol");
        await new UserDataRepository(fixture.Database.DataSource).DeleteAsync(carol.UserId, keepAnonymised: false, TimeoutToken.Create());
        var writer = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        using var store = NewStore(writer, carol.AuthToken);
        var chat = new ChatRecord(Guid.CreateVersion7(), "After deletion", DateTimeOffset.UtcNow, "http://p", "m", "sys", 100);
        var queryId = Guid.CreateVersion7();

        await store.CreateChatAsync(chat, TimeoutToken.Create());
        await store.AddExchangeAsync(Exchange(chat, queryId), TimeoutToken.Create());

        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>(
            "SELECT (SELECT count(*) FROM chat WHERE chat_id = @ChatId) + (SELECT count(*) FROM meta_query WHERE meta_query_id = @QueryId)",
            new { chat.ChatId, QueryId = queryId }));
    }

    /// <summary>
    /// The attack the auth token closes: anyone with the writer login (on every participant's machine) calling the
    /// functions with a user id they learnt (exports, analyst data, audit logs) — or any wrong token — in place of the
    /// token, even with the chat's own session id, finds and changes nothing; only the owner's token works.
    /// </summary>
    [Theory]
    [InlineData("the owner's user id")]
    [InlineData("a random token")]
    [InlineData("another user's token")]
    public async Task WriterRole_AnotherUsersIdOrAWrongTokenInPlaceOfTheToken_FindsAndChangesNothing(string impostor)
    {
        var alice = await NewUserAsync("victim");
        var mallory = await NewUserAsync("mallory");
        var writer = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        using var aliceStore = NewStore(writer, alice.AuthToken);
        var chat = new ChatRecord(Guid.CreateVersion7(), "Alice's secret chat", DateTimeOffset.UtcNow, "http://p", "m", "sys", 100);
        var queryId = Guid.CreateVersion7();
        await aliceStore.CreateChatAsync(chat, TimeoutToken.Create());
        await aliceStore.AddExchangeAsync(Exchange(chat, queryId), TimeoutToken.Create());
        var sessionId = await fixture.Database.ScalarAsync<Guid>("SELECT session_id FROM chat WHERE chat_id = @Id", new { Id = chat.ChatId });
        var token = impostor switch
        {
            "the owner's user id" => alice.UserId,
            "another user's token" => mallory.AuthToken,
            _ => Guid.NewGuid(),
        };
        await using var connection = await writer.OpenConnectionAsync(TimeoutToken.Create());
        Task<long> CountAsync(string sql, Guid authToken) => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            sql, new { ChatId = chat.ChatId, QueryId = queryId, Token = authToken, SessionId = sessionId }, cancellationToken: TimeoutToken.Create()));
        Task<bool> CallAsync(string sql, Guid authToken) => connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            sql, new { ChatId = chat.ChatId, QueryId = queryId, Token = authToken, SessionId = sessionId }, cancellationToken: TimeoutToken.Create()));
        const string List = "SELECT count(*) FROM chat_list(@Token, @SessionId, 100, 0)";
        const string Find = "SELECT count(*) FROM chat_find(@ChatId, @Token, @SessionId)";
        const string Exchanges = "SELECT count(*) FROM chat_exchanges(@ChatId, @Token, @SessionId)";
        const string Rename = "SELECT chat_rename(@ChatId, @Token, @SessionId, 'pwned')";
        const string Feedback = "SELECT chat_set_feedback(@ChatId, @QueryId, @Token, @SessionId, true, 'pwned')";
        const string Delete = "SELECT chat_delete(@ChatId, @Token, @SessionId)";

        var seen = (await CountAsync(List, token), await CountAsync(Find, token), await CountAsync(Exchanges, token));
        var changed = (await CallAsync(Rename, token), await CallAsync(Feedback, token), await CallAsync(Delete, token));

        Assert.Equal((0L, 0L, 0L), seen);
        Assert.Equal((false, false, false), changed);
        Assert.Equal("Alice's secret chat|false|1", await fixture.Database.ScalarAsync<string>("""
            SELECT c.title || '|' || hg.is_mistake || '|' || (SELECT count(*) FROM chat_query WHERE chat_id = c.chat_id)
            FROM chat c JOIN chat_query cq USING (chat_id) JOIN had_generation hg USING (meta_query_id) WHERE c.chat_id = @Id
            """, new { Id = chat.ChatId }));
        Assert.Equal((1L, 1L, 1L), (await CountAsync(List, alice.AuthToken), await CountAsync(Find, alice.AuthToken), await CountAsync(Exchanges, alice.AuthToken)));
        Assert.True(await CallAsync(Rename, alice.AuthToken));
        Assert.True(await CallAsync(Delete, alice.AuthToken));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WriterRole_AnonymousChats_AreVisibleOnlyToTheSessionThatStartedThem(bool unknownToken)
    {
        // No token, or a token of no user: anonymous, scoped to the session.
        var writer = await fixture.Database.ConnectAsMemberOfAsync("code4me_writer");
        using var mine = NewStore(writer, unknownToken ? Guid.NewGuid() : null);
        using var otherSession = NewStore(writer, authToken: null);
        var chat = new ChatRecord(Guid.CreateVersion7(), "anonymous", DateTimeOffset.UtcNow, "http://p", "m", "sys", 100);
        await mine.CreateChatAsync(chat, TimeoutToken.Create());

        Assert.True(await fixture.Database.ScalarAsync<bool>("SELECT user_id IS NULL FROM chat WHERE chat_id = @Id", new { Id = chat.ChatId }));
        Assert.NotNull(await mine.FindChatAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Null(await otherSession.FindChatAsync(chat.ChatId, TimeoutToken.Create()));
        Assert.Empty((await otherSession.ListChatsAsync(0, 10, TimeoutToken.Create())).Chats);
        Assert.False(await otherSession.DeleteChatAsync(chat.ChatId, TimeoutToken.Create()));
    }

    private static ChatExchange Exchange(ChatRecord chat, Guid queryId) =>
        new(queryId, chat.ChatId, DateTimeOffset.UtcNow, "q", "a", "m", ChatOutcome.Cancelled, 5, 1, 1, false, 0.5m, 0, false, null, null);

    private static PostgresChatStore NewStore(NpgsqlDataSource dataSource, Guid? authToken) => ChatStores.NewPostgresChatStore(dataSource, authToken);

    private static Task ChangeSettingsAsync(InProcServer server, object code4me) =>
        server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me } });

    private async Task<List<string>> QueryAsync<T>(string sql, object parameters)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return [.. (await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: TimeoutToken.Create()))).Select(v => v?.ToString() ?? "")];
    }
}
