using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Reply = Code4me.Lsp.IntegrationTests.Support.FakeModelServer.Reply;

namespace Code4me.Lsp.IntegrationTests.Chat;

/// <summary>code4me/chat and friends through the real protocol, against a loopback OpenAI-compatible chat server.</summary>
public sealed class ChatProtocolTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TestTimeout.Value);
    private FakeModelServer _model = null!;

    public async Task InitializeAsync() => _model = await FakeModelServer.StartAsync(output, _timeout.Token);

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        _timeout.Dispose();
    }

    private string[] ChatConfig => [$"Code4me:Chat:Endpoint={new Uri(_model.BaseAddress, "v1")}", "Code4me:Chat:Model=fake-chat"];

    private async Task<InProcServer> StartAsync(params string[] extra)
    {
        var server = InProcServer.Start(output, [.. ChatConfig, .. extra]);
        await server.Client.InitializedAsync();
        return server;
    }

    private static Task<ChatResult> ChatAsync(InProcServer server, object parameters, CancellationToken cancellationToken = default) =>
        server.Client.RequestAsync<ChatResult>(LspMethods.Code4meChat, parameters, cancellationToken);

    [Fact]
    public async Task Chat_WithPartialResultToken_StreamsPiecesThatConcatenateToTheReply()
    {
        _model.Enqueue(Reply.ChatSse(["Use ", "`sorted`", " here."], usage: (42, 5)));
        await using var server = await StartAsync();
        await server.Client.OpenAsync("file:///w/main.py", "xs = [3, 1, 2]\nprint(xs)\n");
        await server.Client.OpenAsync("file:///w/util.py", "def helper(): pass\n");

        var result = await ChatAsync(server, new
        {
            message = "How do I sort this?",
            textDocument = new { uri = "file:///w/main.py" },
            range = new { start = new { line = 0, character = 5 }, end = new { line = 0, character = 14 } },
            partialResultToken = "chat-1",
        });

        var pieces = new List<string>();
        while (string.Concat(pieces) != result.Reply)
        {
            var progress = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.Progress), _ => true);
            Assert.Equal("chat-1", progress.GetProperty("token").GetString());
            pieces.Add(progress.GetProperty("value").GetProperty("delta").GetString()!);
        }

        Assert.Equal(["Use ", "`sorted`", " here."], pieces);
        Assert.Equal("Use `sorted` here.", result.Reply);
        Assert.Equal("fake-chat", result.Model);
        Assert.Equal((42, 5, false), (result.Usage.PromptTokens, result.Usage.CompletionTokens, result.Usage.Estimated));
        var sent = Assert.Single(_model.Received).Body;
        Assert.Equal("fake-chat", sent.GetProperty("model").GetString());
        var system = sent.GetProperty("messages")[0].GetProperty("content").GetString()!;
        Assert.Contains("[3, 1, 2]", system, StringComparison.Ordinal);      // the selection
        Assert.Contains("print(xs)", system, StringComparison.Ordinal);      // the current file
        Assert.Contains("def helper()", system, StringComparison.Ordinal);   // another open file
        var chats = await server.Client.RequestAsync<ChatList>(LspMethods.Code4meChats, new { });
        Assert.Equal(("How do I sort this?", result.ChatId), (Assert.Single(chats.Chats).Title, chats.Chats[0].ChatId));
    }

    [Fact]
    public async Task Chat_SecretFilesAndSecretsInCode_NeverReachTheProvider()
    {
        const string Key = "AKIAQWERTYUIOPASDFGH";
        _model.Enqueue(Reply.ChatSse(["a"]), Reply.ChatSse(["b"]));
        await using var server = await StartAsync();
        await server.Client.OpenAsync("file:///w/.env", $"AWS_KEY=envfile-{Key}\n", languageId: "dotenv");
        await server.Client.OpenAsync("file:///w/main.py", $"key = \"{Key}\"\nprint(key)\n");

        await ChatAsync(server, new { message = "What does main do?", textDocument = new { uri = "file:///w/main.py" } });
        await ChatAsync(server, new { message = "And this file?", textDocument = new { uri = "file:///w/.env" } });

        var bodies = _model.Received.Select(r => r.Body.GetRawText()).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Contains("print(key)", bodies[0], StringComparison.Ordinal);        // the current file is there …
        Assert.All(bodies, b => Assert.DoesNotContain(Key, b, StringComparison.Ordinal));   // … without the key,
        Assert.All(bodies, b => Assert.DoesNotContain("envfile-", b, StringComparison.Ordinal));   // and the .env file never
    }

    [Fact]
    public async Task ChatHistory_TwoExchanges_RoundTripsAndSendsEarlierTurns()
    {
        _model.Enqueue(Reply.ChatSse(["first answer"]), Reply.ChatSse(["second answer"]));
        await using var server = await StartAsync();

        var first = await ChatAsync(server, new { message = "first question" });
        var second = await ChatAsync(server, new { chatId = first.ChatId, message = "second question" });
        var history = await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = first.ChatId });

        Assert.Equal(first.ChatId, second.ChatId);
        Assert.True(first.Usage.Estimated); // the provider sent no usage
        Assert.Equal(
            [("user", "first question"), ("assistant", "first answer"), ("user", "second question"), ("assistant", "second answer")],
            [.. history.Messages.Select(m => (m.Role, m.Content))]);
        Assert.Equal([first.QueryId, first.QueryId, second.QueryId, second.QueryId], [.. history.Messages.Select(m => m.QueryId)]);
        var secondPrompt = _model.Received.Last().Body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()).ToList();
        Assert.Equal(["first question", "first answer", "second question"], secondPrompt[1..]);
    }

    [Fact]
    public async Task RenameChat_ThenChats_ShowsTheNewTitle()
    {
        _model.Enqueue(Reply.ChatSse(["a"]));
        await using var server = await StartAsync();
        var chat = await ChatAsync(server, new { message = "q" });

        await server.Client.RequestAsync<JsonElement?>(LspMethods.Code4meRenameChat, new { chatId = chat.ChatId, title = "Sorting lists" });

        var chats = await server.Client.RequestAsync<ChatList>(LspMethods.Code4meChats, new { page = 0, pageSize = 10 });
        Assert.Equal("Sorting lists", Assert.Single(chats.Chats).Title);
        Assert.Null(chats.NextPage);
    }

    [Fact]
    public async Task DeleteChat_ThenHistoryOrChat_InvalidParams()
    {
        _model.Enqueue(Reply.ChatSse(["a"]));
        await using var server = await StartAsync();
        var chat = await ChatAsync(server, new { message = "q" });

        await server.Client.RequestAsync<JsonElement?>(LspMethods.Code4meDeleteChat, new { chatId = chat.ChatId });

        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = chat.ChatId }));
        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => ChatAsync(server, new { chatId = chat.ChatId, message = "again" }));
        Assert.Empty((await server.Client.RequestAsync<ChatList>(LspMethods.Code4meChats, new { })).Chats);
    }

    [Fact]
    public async Task ChatFeedback_MarksReplyAsMistake_ShownInHistory()
    {
        _model.Enqueue(Reply.ChatSse(["wrong"]));
        await using var server = await StartAsync();
        var chat = await ChatAsync(server, new { message = "q" });

        await server.Client.RequestAsync<JsonElement?>(LspMethods.Code4meChatFeedback, new { chatId = chat.ChatId, queryId = chat.QueryId, isMistake = true, note = "made up an API" });

        var reply = (await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = chat.ChatId })).Messages[1];
        Assert.Equal((true, "made up an API"), (reply.IsMistake, reply.MistakeNote));
        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => server.Client.RequestAsync<JsonElement?>(
            LspMethods.Code4meChatFeedback, new { chatId = chat.ChatId, queryId = Guid.NewGuid().ToString(), isMistake = true }));
    }

    [Fact]
    public async Task Chat_CancelRequest_StopsGenerationAndKeepsThePartialReply()
    {
        _model.Enqueue(Reply.ChatSse(["done"]), Reply.ChatSseThenHang("half ", "an answer"));
        await using var server = await StartAsync();
        var chat = await ChatAsync(server, new { message = "first" });
        using var cancel = new CancellationTokenSource();

        var pending = ChatAsync(server, new { chatId = chat.ChatId, message = "second", partialResultToken = 7 }, cancel.Token);
        await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.Progress), p => p.GetProperty("value").GetProperty("delta").GetString() == "an answer");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        var reply = (await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = chat.ChatId })).Messages[^1];
        Assert.Equal(("half an answer", "cancelled"), (reply.Content, reply.Outcome));
    }

    [Fact]
    public async Task Chat_NoProviderConfigured_InvalidParamsSayingHowToConfigureOne()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();

        var message = await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => ChatAsync(server, new { message = "hello" }));

        Assert.Contains("Code4me:Chat:Endpoint", message, StringComparison.Ordinal);
        Assert.Contains("Code4me:Chat:Model", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "HTTP 500")]
    [InlineData(429, "rate-limiting")]
    public async Task Chat_ProviderFails_RequestFailedWithAClearMessageAndTheQueryRecorded(int status, string expected)
    {
        _model.Enqueue(Reply.Status(status));
        await using var server = await StartAsync("Code4me:Logging:Level=Debug");

        var message = await RpcAssert.ErrorAsync(LspErrorCodes.RequestFailed, () => ChatAsync(server, new { message = "q" }));

        Assert.Contains(expected, message, StringComparison.Ordinal);
        var chat = Assert.Single((await server.Client.RequestAsync<ChatList>(LspMethods.Code4meChats, new { })).Chats);
        var history = await server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = chat.ChatId });
        Assert.Equal("failed", history.Messages[^1].Outcome);
        Assert.Equal(1, _model.RequestCount); // no retries
        // The log says it in one line, the reason included; the exception and its stack trace only at Debug.
        var warning = Assert.Single(server.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("the provider failed", StringComparison.Ordinal));
        Assert.Contains(expected, warning, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", warning, StringComparison.Ordinal);
        Assert.Contains(server.Logs.Lines, l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("provider failure in detail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chat_UnknownOrMalformedChatId_InvalidParams()
    {
        await using var server = await StartAsync();

        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => ChatAsync(server, new { chatId = Guid.NewGuid().ToString(), message = "q" }));
        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => server.Client.RequestAsync<ChatHistory>(LspMethods.Code4meChatHistory, new { chatId = "nope" }));
        Assert.Equal(0, _model.RequestCount);
    }

    [Fact]
    public async Task Chat_UnknownMemberOrNoMessage_InvalidParams()
    {
        await using var server = await StartAsync();

        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => ChatAsync(server, new { message = "q", temperature = 2 }));
        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => ChatAsync(server, new { chatId = Guid.NewGuid().ToString() }));
        await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => ChatAsync(server, new { message = "  " }));
        Assert.Equal(0, _model.RequestCount);
    }
}
