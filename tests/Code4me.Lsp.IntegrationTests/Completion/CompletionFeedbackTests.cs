using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Completion;

/// <summary>Shown / accepted / partially accepted / rejected, as an editor reports them, attach to the right query.</summary>
public sealed class CompletionFeedbackTests(ITestOutputHelper output)
{
    private const string Lib = "def load(path):\n    return np.loadtxt(path, delimiter=',')\n\nx = np.loadtxt(path, delimiter=',')\n";

    [Fact]
    public async Task ShownTwice_ThenAccepted_IsRecordedOnTheQuery()
    {
        await using var server = InProcServer.Start(output);
        var item = await SuggestAsync(server);

        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
        await server.Client.RequestAsync<JsonElement?>(LspMethods.WorkspaceExecuteCommand, new { command = item.Command!.CommandIdentifier, arguments = item.Command.Arguments });

        var state = await StateAsync(server, item);
        Assert.Equal(2, state.ShownCount);
        Assert.True(state.Accepted);
        Assert.Equal("ngram", state.AcceptedModel);
        Assert.False(state.Rejected);
    }

    [Fact]
    public async Task PartialAcceptAndReject_AreRecorded()
    {
        await using var server = InProcServer.Start(output);
        var item = await SuggestAsync(server);

        await server.Client.NotifyAsync(LspMethods.TextDocumentDidPartiallyAcceptCompletion, new { item, acceptedLength = 4 });
        await server.Client.NotifyAsync(LspMethods.Code4meCompletionRejected, new { item });

        var state = await StateAsync(server, item);
        Assert.Equal(4, state.PartiallyAcceptedLength);
        Assert.True(state.Rejected);
        Assert.False(state.Accepted);
    }

    [Fact]
    public async Task ReportsForUnknownIds_AreLoggedAndIgnored_ServerKeepsServing()
    {
        await using var server = InProcServer.Start(output);
        var item = await SuggestAsync(server);
        var forged = new
        {
            insertText = "x",
            command = new { title = "t", command = "code4me.acceptCompletion", arguments = new[] { new { queryId = Guid.NewGuid().ToString(), model = "ngram" } } },
        };

        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item = forged });
        await server.Client.NotifyAsync(LspMethods.Code4meCompletionRejected, new { item = new { insertText = "x" } });
        await server.Client.RequestAsync<JsonElement?>(LspMethods.WorkspaceExecuteCommand, new { command = "code4me.acceptCompletion", arguments = forged.command.arguments });

        Assert.Equal(0, (await StateAsync(server, item)).ShownCount);
        Assert.Contains(server.Logs.Lines, l => l.Contains("unknown or expired completion query", StringComparison.Ordinal));
        Assert.Contains(server.Logs.Lines, l => l.Contains("has no code4me.acceptCompletion command", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownCommand_IsInvalidParams()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync();
        var message = await RpcAssert.ErrorAsync(LspErrorCodes.InvalidParams, () => server.Client.RequestAsync<JsonElement?>(LspMethods.WorkspaceExecuteCommand, new { command = "rm -rf" }));
        Assert.Contains("code4me.acceptCompletion", message, StringComparison.Ordinal);
    }

    private static async Task<InlineCompletionItem> SuggestAsync(InProcServer server)
    {
        var init = await server.Client.InitializedAsync();
        Assert.Equal(["code4me.acceptCompletion"], init.Capabilities.ExecuteCommandProvider!.Commands);
        await server.Client.OpenAsync("file:///w/lib.py", Lib);
        await server.Client.OpenAsync("file:///w/b.py", "y = np.loadtxt(");
        var list = await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/b.py", 0, 15, InlineCompletionTriggerKind.Invoked);
        return Assert.Single(list.Items);
    }

    private static Task<QueryState> StateAsync(InProcServer server, InlineCompletionItem item) =>
        server.Client.RequestAsync<QueryState>(LspMethods.Code4meQueryState, new { queryId = item.Command!.Arguments![0].GetProperty("queryId").GetString() });
}
