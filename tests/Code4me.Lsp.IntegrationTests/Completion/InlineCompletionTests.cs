using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Completion;

public sealed class InlineCompletionTests(ITestOutputHelper output)
{
    private const string Library = """
        import numpy as np

        def load(path):
            data = np.loadtxt(path, delimiter=',')
            return data

        def load_all(paths):
            return [np.loadtxt(p, delimiter=',') for p in paths]
        """;

    [Fact]
    public async Task OfflineModel_LearnsFromOneFile_SuggestsInAnother()
    {
        await using var server = InProcServer.Start(output);
        var init = await server.Client.InitializedAsync();
        Assert.True(init.Capabilities.InlineCompletionProvider);
        await server.Client.OpenAsync("file:///w/lib.py", Library);
        await server.Client.OpenAsync("file:///w/main.py", "import numpy as np\n\ndef read(path):\n    table = np.loadtxt(");

        var list = await CompleteAsync(server.Client, "file:///w/main.py", 3, 23, InlineCompletionTriggerKind.Invoked);

        var item = Assert.Single(list.Items);
        Assert.StartsWith("path, delimiter=','", item.InsertText, StringComparison.Ordinal);
        Assert.Equal(3, item.Range!.Start.Line);
        Assert.Equal(23, item.Range.Start.Character);
        Assert.Equal(23, item.Range.End.Character);

        // The acceptance command names the query and the model.
        Assert.Equal("code4me.acceptCompletion", item.Command!.CommandIdentifier);
        var arguments = Assert.Single(item.Command.Arguments!);
        Assert.True(Guid.TryParse(arguments.GetProperty("queryId").GetString(), out var queryId));
        Assert.Equal(7, queryId.Version);
        Assert.Equal("ngram", arguments.GetProperty("model").GetString());
    }

    [Fact]
    public async Task TypingTheStartOfTheSuggestion_ServesTheRestFromTheCache()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/lib.py", Library);
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(");
        var first = Assert.Single((await CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Automatic)).Items).InsertText;

        // The user types the first four characters of what is shown.
        await server.Client.ChangeAsync("file:///w/main.py", 2, LspTestClient.Edit(0, 15, 0, 15, first[..4]));
        var second = Assert.Single((await CompleteAsync(server.Client, "file:///w/main.py", 0, 19, InlineCompletionTriggerKind.Automatic)).Items);

        Assert.Equal(first[4..], second.InsertText);
        var state = await server.Client.RequestAsync<QueryState>(LspMethods.Code4meQueryState, new { queryId = second.Command!.Arguments![0].GetProperty("queryId").GetString() });
        Assert.True(state.FromCache);
    }

    [Fact]
    public async Task ManualOnly_AutomaticTriggerGetsNothing_InvokedIsAnswered()
    {
        await using var server = InProcServer.Start(output, ["Code4me:Completion:ManualOnly=true"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/lib.py", Library);
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(");

        Assert.Empty((await CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Automatic)).Items);
        Assert.NotEmpty((await CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Invoked)).Items);
    }

    [Fact]
    public async Task CancelRequest_StopsAWaitingRequest_WithRequestCancelled()
    {
        // A long debounce keeps the automatic request waiting until the client cancels it.
        await using var server = InProcServer.Start(output, ["Code4me:Completion:DebounceMinMs=60000", "Code4me:Completion:DebounceMaxMs=60000", "Code4me:Logging:ClientLevel=Trace"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "x = 1\n");

        using var cancel = new CancellationTokenSource();
        var pending = CompleteAsync(server.Client, "file:///w/main.py", 1, 0, InlineCompletionTriggerKind.Automatic, cancel.Token);
        await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowLogMessage), e => e.GetProperty("message").GetString()!.Contains("textDocument/inlineCompletion received", StringComparison.Ordinal));
        await cancel.CancelAsync();

        // StreamJsonRpc sends $/cancelRequest; the server answers -32800, the client surfaces a cancellation.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Contains(server.Logs.Lines, line => line.Contains("textDocument/inlineCompletion handled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewerRequestForTheSameDocument_SupersedesTheOlder()
    {
        await using var server = InProcServer.Start(output, ["Code4me:Completion:DebounceMinMs=60000", "Code4me:Completion:DebounceMaxMs=60000"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/lib.py", Library);
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(");

        var older = CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Automatic);
        var newer = CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Invoked);

        Assert.Empty((await older).Items);
        Assert.NotEmpty((await newer).Items);
    }

    [Fact]
    public async Task InvokedRequests_DoNotSupersedeEachOther()
    {
        var firstArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(
            async context =>
            {
                firstArrived.SetResult();
                await releaseFirst.Task.WaitAsync(context.RequestAborted);
                await FakeModelServer.Reply.Json("first)", null)(context);
            },
            FakeModelServer.Reply.Json("second)", null));
        await using var server = InProcServer.Start(output, [
            "Code4me:Completion:Policy=FirstToAnswer", "Code4me:Completion:DeadlineMs=20000", "Code4me:Completion:RemoteRetries=0",
            "Code4me:Completion:Models:0:Name=remote", "Code4me:Completion:Models:0:Kind=OpenAi",
            $"Code4me:Completion:Models:0:Endpoint={model.BaseAddress}", "Code4me:Completion:Models:0:TimeoutMs=20000"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(\ny = np.loadtxt(");

        var first = CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Invoked);
        await firstArrived.Task.WaitAsync(TestTimeout.Token());
        var second = await CompleteAsync(server.Client, "file:///w/main.py", 1, 15, InlineCompletionTriggerKind.Invoked);
        releaseFirst.SetResult();

        Assert.Equal("second)", Assert.Single(second.Items).InsertText);
        Assert.Equal("first)", Assert.Single((await first).Items).InsertText);
    }

    [Fact]
    public async Task PositionPastTheEndOfTheLine_IsClampedToTheLineEnd()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/lib.py", Library);
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(\n");

        var item = Assert.Single((await CompleteAsync(server.Client, "file:///w/main.py", 0, 99, InlineCompletionTriggerKind.Invoked)).Items);

        Assert.Equal(0, item.Range!.Start.Line);
        Assert.Equal(15, item.Range.Start.Character);
    }

    [Theory]
    [InlineData("loadtxt", 7, "loadtxt(")] // the suggestion extends the selected item: over its range
    [InlineData("load_all", 9, "adtxt(")] // it does not: at the caret, as without a completion list
    public async Task SelectedCompletionItem_ItemExtendsItOverItsRange_OrStaysAtTheCaret(string selected, int expectedStart, string expectedStartOfText)
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/lib.py", Library);
        await server.Client.OpenAsync("file:///w/main.py", "x = np.lo");

        // VS Code's word-based completion list is open on "lo" (characters 7-9), with `selected` selected.
        var list = await server.Client.RequestAsync<InlineCompletionList>(
            LspMethods.TextDocumentInlineCompletion,
            new
            {
                textDocument = new { uri = "file:///w/main.py" },
                position = new { line = 0, character = 9 },
                context = new
                {
                    triggerKind = InlineCompletionTriggerKind.Automatic,
                    selectedCompletionInfo = new { range = new { start = new { line = 0, character = 7 }, end = new { line = 0, character = 9 } }, text = selected },
                },
            });

        var item = Assert.Single(list.Items);
        Assert.Equal(expectedStart, item.Range!.Start.Character);
        Assert.Equal(9, item.Range.End.Character);
        Assert.StartsWith(expectedStartOfText, item.InsertText, StringComparison.Ordinal);
    }

    internal static Task<InlineCompletionList> CompleteAsync(LspTestClient client, string uri, int line, int character, int triggerKind, CancellationToken cancellationToken = default) =>
        client.RequestAsync<InlineCompletionList>(
            LspMethods.TextDocumentInlineCompletion,
            new { textDocument = new { uri }, position = new { line, character }, context = new { triggerKind } },
            cancellationToken);
}
