using System.Net;
using System.Net.Sockets;
using Code4me.Lsp.IntegrationTests.Completion;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Configuration;

/// <summary>
/// Settings as LSP intends them (issue #14): a client that answers <c>workspace/configuration</c> is asked for the
/// <c>code4me</c> section on <c>initialized</c> and on every <c>didChangeConfiguration</c>, whatever the push carries,
/// and every setting applies at once, models included.
/// </summary>
public sealed class ClientSettingsTests(ITestOutputHelper output)
{
    private const string Uri = "file:///w/main.py";

    [Fact]
    public async Task Initialized_ClientAnswersWorkspaceConfiguration_ThePulledSectionApplies()
    {
        await using var server = InProcServer.Start(output, ["Code4me:Completion:DebounceMinMs=0", "Code4me:Completion:DebounceMaxMs=0"]);
        server.Client.Settings = new { completion = new { manualOnly = true } };
        await server.Client.InitializedAsync(configuration: true);

        var asked = await LspTestClient.ReadUntilAsync(server.Client.ConfigurationRequests, _ => true);
        Assert.Equal("code4me", asked.GetProperty("items")[0].GetProperty("section").GetString());
        await server.Logs.WaitForAsync(l => l.Contains("Settings from workspace/configuration (initialized) applied", StringComparison.Ordinal));

        await server.Client.OpenAsync(Uri, "import numpy as np\nrows = np.loadtxt(path)\nrows = np.lo");
        Assert.Empty((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 2, 12, InlineCompletionTriggerKind.Automatic)).Items);
    }

    [Fact]
    public async Task DidChangeConfiguration_EmptyPushFromAClientThatAnswers_PullsAndAppliesWhatTheClientHolds()
    {
        await using var server = InProcServer.Start(output, ["Code4me:Completion:DebounceMinMs=0", "Code4me:Completion:DebounceMaxMs=0"]);
        await server.Client.InitializedAsync(configuration: true);
        await LspTestClient.ReadUntilAsync(server.Client.ConfigurationRequests, _ => true);
        await server.Client.OpenAsync(Uri, "import numpy as np\nrows = np.loadtxt(path)\nrows = np.lo");
        Assert.NotEmpty((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 2, 12, InlineCompletionTriggerKind.Invoked)).Items);

        // eglot and Neovim push `{}` or the whole settings object; either way the server asks and takes the answer.
        server.Client.Settings = new { completion = new { manualOnly = true } };
        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { } });
        await LspTestClient.ReadUntilAsync(server.Client.ConfigurationRequests, _ => true);
        await server.Logs.WaitForAsync(l => l.Contains("Settings from workspace/configuration (workspace/didChangeConfiguration) applied", StringComparison.Ordinal));

        Assert.Empty((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 2, 12, InlineCompletionTriggerKind.Automatic)).Items);
        Assert.NotEmpty((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 2, 12, InlineCompletionTriggerKind.Invoked)).Items);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[]")]   // Neovim encodes an empty Lua table as an array
    public async Task DidChangeConfiguration_ClientAnswersNothing_TheSettingsStay(string answer)
    {
        await using var server = InProcServer.Start(output, ["Code4me:Completion:DebounceMinMs=0", "Code4me:Completion:DebounceMaxMs=0"]);
        server.Client.Settings = answer == "null" ? null : System.Text.Json.JsonDocument.Parse(answer).RootElement;
        await server.Client.InitializedAsync(new { completion = new { manualOnly = true } }, configuration: true);
        await LspTestClient.ReadUntilAsync(server.Client.ConfigurationRequests, _ => true);
        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = (object?)null });
        await LspTestClient.ReadUntilAsync(server.Client.ConfigurationRequests, _ => true);
        await server.Logs.WaitForAsync(l => l.Contains("after workspace/didChangeConfiguration: the client has no code4me settings", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains("were not applied", StringComparison.Ordinal));
        await server.Client.OpenAsync(Uri, "import numpy as np\nrows = np.loadtxt(path)\nrows = np.lo");

        Assert.Empty((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 2, 12, InlineCompletionTriggerKind.Automatic)).Items);
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains("Settings from workspace/configuration", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelsConfiguredAtRuntime_AreAskedFromTheNextQuery()
    {
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Json("path, delimiter=','", null));
        await using var server = await StartPullingAsync();
        await server.Client.OpenAsync(Uri, "rows = np.loadtxt(");

        await ConfigureInTheEditorAsync(server, RemoteFromTheEditor(model), push: null);

        var item = Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 0, 18, InlineCompletionTriggerKind.Invoked)).Items);
        Assert.Equal("path, delimiter=','", item.InsertText);
        Assert.Equal("editor-remote", item.Command!.Arguments![0].GetProperty("model").GetString());
        Assert.Equal(1, model.RequestCount);
    }

    [Fact]
    public async Task ModelsChanged_WhatTheOldModelsSaidIsNotContinuedByTypingAhead()
    {
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Json("ndtxt(fname)", null));
        await using var server = await StartPullingAsync();
        await server.Client.OpenAsync(Uri, "import numpy as np\nrows = np.loadtxt(path)\nrows = np.lo");
        var offline = Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 2, 12, InlineCompletionTriggerKind.Invoked)).Items).InsertText;
        // The user types the first character of the offline suggestion: the typed-ahead cache would continue it.
        await server.Client.ChangeAsync(Uri, 2, LspTestClient.Edit(2, 12, 2, 12, offline[..1]));

        await ConfigureInTheEditorAsync(server, RemoteFromTheEditor(model), push: new { });

        var item = Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 2, 13, InlineCompletionTriggerKind.Invoked)).Items);
        Assert.Equal("editor-remote", item.Command!.Arguments![0].GetProperty("model").GetString());
        Assert.Equal(1, model.RequestCount);
    }

    [Fact]
    public async Task TwoModels_Invoked_OneItemPerModelToCycleThrough()
    {
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Json("path)", null), FakeModelServer.Reply.Json("path, skiprows=1)", null));
        await using var server = InProcServer.Start(output, [.. Remote("a", model.BaseAddress.ToString(), 0), .. Remote("b", model.BaseAddress.ToString(), 1)]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync(Uri, "rows = np.loadtxt(");

        var items = (await InlineCompletionTests.CompleteAsync(server.Client, Uri, 0, 18, InlineCompletionTriggerKind.Invoked)).Items;

        Assert.Equal(["path)", "path, skiprows=1)"], items.Select(i => i.InsertText).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b"], items.Select(i => i.Command!.Arguments![0].GetProperty("model").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BlankLine_AutomaticRequest_WaitsForThePause_InvokedAnswersAtOnce()
    {
        await using var server = InProcServer.Start(output, ["Code4me:Completion:DebounceMinMs=0", "Code4me:Completion:DebounceMaxMs=0", "Code4me:Completion:BlankLinePauseMs=600000"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync(Uri, "import numpy as np\nrows = np.loadtxt(path)\nrows = np.loadtxt(path)\n\nx = 1\n");

        await server.Client.OpenAsync("file:///w/other.py", "import numpy as np\nrows = np.loadtxt(path)\nrows = np.lo");

        using var cancel = new CancellationTokenSource();
        var automatic = InlineCompletionTests.CompleteAsync(server.Client, Uri, 3, 0, InlineCompletionTriggerKind.Automatic, cancel.Token);
        // Elsewhere, an automatic request is answered after the (zero) debounce; the one on the blank line still waits.
        Assert.NotEmpty((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/other.py", 2, 12, InlineCompletionTriggerKind.Automatic)).Items);
        Assert.False(automatic.IsCompleted, "an automatic request on a blank line was answered before the user paused there");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => automatic);

        // Asked for, a suggestion comes at once on the blank line.
        Assert.NotEmpty((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 3, 0, InlineCompletionTriggerKind.Invoked)).Items);
    }

    [Fact]
    public async Task ModelUnreachable_OneWarningPerOutage_StatusSaysSo_AndNoPollyDetailsBelowDebug()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        await using var server = InProcServer.Start(output, [.. Remote("remote", $"http://127.0.0.1:{closedPort}", 0), "Code4me:Completion:RemoteRetries=1"]);
        await server.Client.InitializedAsync();
        var status = server.Client.Notifications(LspMethods.Code4meStatus);
        var first = await LspTestClient.ReadUntilAsync(status, _ => true);
        Assert.Equal("ready", first.GetProperty("state").GetString());
        await server.Client.OpenAsync(Uri, "rows = np.loadtxt(");

        for (var i = 0; i < 3; i++)
        {
            Assert.Empty((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 0, 18, InlineCompletionTriggerKind.Invoked)).Items);
            await LspTestClient.ReadUntilAsync(status, s => s.GetProperty("state").GetString() == "unreachable");
        }

        var unreachable = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowShowMessage), _ => true);
        Assert.Contains("'remote' is unreachable", unreachable.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(server.Client.Notifications(LspMethods.WindowShowMessage).TryRead(out var second), $"a second warning for one outage: {second}");
        Assert.Single(server.Logs.Lines, l => l.Contains("is unreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains("Polly", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModelBackAfterAnOutage_StatusReady_AndTheNextOutageWarnsAgain()
    {
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Status(500));
        await using var server = InProcServer.Start(output, [.. Remote("remote", model.BaseAddress.ToString(), 0), "Code4me:Completion:RemoteRetries=0"]);
        await server.Client.InitializedAsync();
        var status = server.Client.Notifications(LspMethods.Code4meStatus);
        var warnings = server.Client.Notifications(LspMethods.WindowShowMessage);
        await server.Client.OpenAsync(Uri, "rows = np.loadtxt(");

        await InlineCompletionTests.CompleteAsync(server.Client, Uri, 0, 18, InlineCompletionTriggerKind.Invoked);
        var down = await LspTestClient.ReadUntilAsync(status, s => s.GetProperty("state").GetString() == "unreachable");
        Assert.Equal("remote: http 500", down.GetProperty("message").GetString());
        await LspTestClient.ReadUntilAsync(warnings, _ => true);

        model.Enqueue(FakeModelServer.Reply.Json("path)", null), FakeModelServer.Reply.Status(500));
        Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, Uri, 0, 18, InlineCompletionTriggerKind.Invoked)).Items);
        var up = await LspTestClient.ReadUntilAsync(status, s => s.GetProperty("state").GetString() == "ready");
        Assert.False(up.TryGetProperty("message", out _));
        Assert.False(up.GetProperty("consent").GetBoolean());

        await InlineCompletionTests.CompleteAsync(server.Client, Uri, 0, 18, InlineCompletionTriggerKind.Invoked);
        await LspTestClient.ReadUntilAsync(status, s => s.GetProperty("state").GetString() == "unreachable");
        await LspTestClient.ReadUntilAsync(warnings, w => w.GetProperty("message").GetString()!.Contains("'remote' is unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_CarriesTheConsent_AndFollowsItWhenTheEditorChangesIt()
    {
        await using var server = InProcServer.Start(output);
        server.Client.Settings = new { telemetry = new { consent = new { enabled = true } } };
        await server.Client.InitializedAsync(configuration: true);
        var status = server.Client.Notifications(LspMethods.Code4meStatus);

        await LspTestClient.ReadUntilAsync(status, s => s.GetProperty("consent").GetBoolean());
        await ConfigureInTheEditorAsync(server, new { telemetry = new { consent = new { enabled = false } } }, push: null);
        var off = await LspTestClient.ReadUntilAsync(status, s => !s.GetProperty("consent").GetBoolean());
        Assert.Equal("ready", off.GetProperty("state").GetString());
    }

    /// <summary>A server whose client answers workspace/configuration, once it asked the first time.</summary>
    private async Task<InProcServer> StartPullingAsync()
    {
        var server = InProcServer.Start(output);
        await server.Client.InitializedAsync(configuration: true);
        await LspTestClient.ReadUntilAsync(server.Client.ConfigurationRequests, _ => true);
        return server;
    }

    /// <summary>The user changes the settings in the editor: it pushes <paramref name="push"/>, the server pulls and applies.</summary>
    private static async Task ConfigureInTheEditorAsync(InProcServer server, object settings, object? push)
    {
        server.Client.Settings = settings;
        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = push });
        await server.Logs.WaitForAsync(l => l.Contains("Settings from workspace/configuration (workspace/didChangeConfiguration) applied", StringComparison.Ordinal));
    }

    private static object RemoteFromTheEditor(FakeModelServer model) =>
        new { completion = new { models = new[] { new { name = "editor-remote", kind = "OpenAi", endpoint = model.BaseAddress.ToString(), timeoutMs = 10000 } } } };

    private static string[] Remote(string name, string endpoint, int index) =>
    [
        $"Code4me:Completion:Models:{index}:Name={name}",
        $"Code4me:Completion:Models:{index}:Kind=OpenAi",
        $"Code4me:Completion:Models:{index}:Endpoint={endpoint}",
        $"Code4me:Completion:Models:{index}:TimeoutMs=10000",
    ];
}
