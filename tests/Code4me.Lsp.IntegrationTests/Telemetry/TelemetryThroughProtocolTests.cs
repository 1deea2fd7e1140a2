using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Completion;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>A scripted editing session through the real pipe; the telemetry it leaves in the spool, field by field.</summary>
public sealed class TelemetryThroughProtocolTests(ITestOutputHelper output)
{
    /// <summary>Everything consented (the default records nothing).</summary>
    internal static readonly string[] FullConsent =
    [
        "Code4me:Telemetry:Consent:Enabled=true",
        "Code4me:Telemetry:Consent:StoreContext=true",
        "Code4me:Telemetry:Consent:StoreContextual=true",
        "Code4me:Telemetry:Consent:StoreBehavioral=true",
    ];

    private const string Lib = "import numpy as np\n\ndef load(path):\n    return np.loadtxt(path, delimiter=',')\n";

    [Fact]
    public async Task EditingSession_CompletionShownAndAccepted_IsSpooledWithItsTelemetry()
    {
        await using var server = InProcServer.Start(output, FullConsent);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/lib.py", Lib);
        // "x = np.loadtxt(" and one more line: the caret (line 0, column 15) in a 24-character document.
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(\nprint(x)");

        var list = await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Invoked);
        var item = Assert.Single(list.Items);
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
        await server.Client.RequestAsync<JsonElement?>(LspMethods.WorkspaceExecuteCommand, new { command = item.Command!.CommandIdentifier, arguments = item.Command.Arguments });
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var events = SpoolReader.Read(server.SpoolDirectory);
        var queryId = Guid.Parse(item.Command.Arguments![0].GetProperty("queryId").GetString()!);

        var started = Assert.Single(events.OfType<SessionStartedEvent>());
        Assert.Equal("test-client", started.Ide);
        var query = Assert.Single(events.OfType<CompletionQueryEvent>());
        Assert.Equal(queryId, query.QueryId);
        Assert.Equal(started.SessionId, query.SessionId);
        var contextual = query.Contextual!;
        Assert.Equal(CompletionTrigger.Manual, contextual.Trigger);
        Assert.Equal("python", contextual.Language);
        Assert.Equal("/w/main.py", contextual.FilePath);
        Assert.Equal(0, contextual.CaretLine);
        Assert.Equal(24, contextual.DocumentCharLength);
        Assert.Equal(15.0 / 24, contextual.RelativeDocumentPosition, 12);
        Assert.Null(query.Behavioral!.TimeSinceLastShownMs);
        Assert.Null(query.Behavioral.TimeSinceLastAcceptedMs);
        Assert.Equal("x = np.loadtxt(", query.Context!.Prefix);
        Assert.Equal("\nprint(x)", query.Context.Suffix);
        var generation = Assert.Single(query.Generations);
        Assert.Equal("ngram", generation.Model);
        Assert.Equal(item.InsertText, generation.Completion);
        Assert.NotEmpty(generation.Logprobs);
        Assert.Equal(((int?)null, (int?)generation.Logprobs.Count), (generation.PromptTokens, generation.CompletionTokens));   // the n-gram model: no prompt, one logprob per token
        Assert.InRange(generation.Confidence, 0, 1);

        Assert.Equal(queryId, Assert.Single(events.OfType<ShownEvent>()).QueryId);
        Assert.Equal(queryId, Assert.Single(events.OfType<AcceptedEvent>()).QueryId);
        Assert.Equal(started.SessionId, Assert.Single(events.OfType<SessionEndedEvent>()).SessionId);
    }

    [Fact]
    public async Task AutomaticRequests_RightAfterAnEditAndAfterAPause_AreRecordedAutoThenIdle()
    {
        await using var server = InProcServer.Start(output, [.. FullConsent, "Code4me:Telemetry:IdleTriggerMs=1000"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "x = np.loadtxt(\nprint(x)");

        // Opened, never changed: a pause. Then a keystroke and a request at once; then a pause of more than 1 s.
        await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 15, InlineCompletionTriggerKind.Automatic);
        await server.Client.ChangeAsync("file:///w/main.py", 2, LspTestClient.Edit(0, 15, 0, 15, "p"));
        await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 16, InlineCompletionTriggerKind.Automatic);
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 16, InlineCompletionTriggerKind.Automatic);
        await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 16, InlineCompletionTriggerKind.Invoked);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var queries = SpoolReader.Read(server.SpoolDirectory).OfType<CompletionQueryEvent>().OrderBy(q => q.OccurredAt).ToList();
        Assert.Equal(
            [CompletionTrigger.Idle, CompletionTrigger.Auto, CompletionTrigger.Idle, CompletionTrigger.Manual],
            queries.Select(q => q.Contextual!.Trigger));
    }

    [Fact]
    public async Task Request_WithASelectedCompletionItem_RecordsItsTextAsSelectedText()
    {
        await using var server = InProcServer.Start(output, FullConsent);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "x = np.lo\nprint(x)");

        await server.Client.RequestAsync<InlineCompletionList>(
            LspMethods.TextDocumentInlineCompletion,
            new
            {
                textDocument = new { uri = "file:///w/main.py" },
                position = new { line = 0, character = 9 },
                context = new
                {
                    triggerKind = InlineCompletionTriggerKind.Invoked,
                    selectedCompletionInfo = new { range = new { start = new { line = 0, character = 7 }, end = new { line = 0, character = 9 } }, text = "loadtxt" },
                },
            });
        await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 9, InlineCompletionTriggerKind.Invoked);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var queries = SpoolReader.Read(server.SpoolDirectory).OfType<CompletionQueryEvent>().OrderBy(q => q.OccurredAt).ToList();
        Assert.Equal(["loadtxt", null], queries.Select(q => q.Context!.SelectedText));
    }
}
