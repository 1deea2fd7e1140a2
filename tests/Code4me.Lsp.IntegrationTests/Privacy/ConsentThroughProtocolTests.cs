using System.Text;
using System.Text.Json;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Completion;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.IntegrationTests.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Reply = Code4me.Lsp.IntegrationTests.Support.FakeModelServer.Reply;

namespace Code4me.Lsp.IntegrationTests.Privacy;

/// <summary>Consent and secrets through the real pipe: what reaches the spool and the model server.</summary>
public sealed class ConsentThroughProtocolTests(ITestOutputHelper output)
{
    private const string Main = "import numpy as np\n\ndef load(path):\n    return np.loadtxt(path, delimiter=',')\n\nx = np.loadtxt(\n";

    [Fact]
    public async Task ConsentOff_FullScriptedSession_LeavesZeroEventsAndZeroSpoolBytes()
    {
        await using var server = InProcServer.Start(output);   // the default: no consent
        await server.Client.InitializedAsync(initializationOptions: new { logging = new { clientLevel = "Information" } });
        await ScriptedSession.RunAsync(server.Client, "file:///w/main.py", Main);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        Assert.Empty(Directory.EnumerateFiles(server.SpoolDirectory, "*.seg", SearchOption.AllDirectories));
        Assert.Equal(0, SpoolBytes(server.SpoolDirectory));
        Assert.Empty(SpoolReader.Read(server.SpoolDirectory));
    }

    [Fact]
    public async Task ConsentChangedMidSession_TakesEffectAtOnceAndIsAudited()
    {
        await using var server = InProcServer.Start(output, TelemetryThroughProtocolTests.FullConsent);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", Main);

        var full = await QueryIdAsync(server.Client);
        await ChangeConsentAsync(server.Client, new { storeContext = false });
        var noContext = await QueryIdAsync(server.Client);
        await ChangeConsentAsync(server.Client, new { enabled = false });
        var off = await QueryIdAsync(server.Client);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var events = SpoolReader.Read(server.SpoolDirectory);
        var queries = events.OfType<CompletionQueryEvent>().ToDictionary(q => q.QueryId);
        Assert.NotNull(queries[full].Context);
        Assert.Null(queries[noContext].Context);
        Assert.NotNull(queries[noContext].Contextual);
        Assert.NotNull(queries[noContext].Behavioral);
        Assert.False(queries.ContainsKey(off));
        Assert.Empty(events.OfType<SessionEndedEvent>());   // the session ended after consent was withdrawn

        // The withdrawal discarded what was spooled before it (acknowledged, never uploaded) but for the consent records,
        // which it appended again: read back from the segments, the first change is there twice.
        var changes = events.OfType<ConsentChangedEvent>().DistinctBy(c => c.EventId).ToList();
        Assert.Equal(2, changes.Count);
        Assert.Equal(new ConsentLevel(true, true, true, true), changes[0].Previous);
        Assert.Equal(new ConsentLevel(true, false, true, true), changes[0].Current);
        Assert.Equal(new ConsentLevel(false, true, true, true), changes[1].Current);
        Assert.All(changes, c => Assert.Equal("workspace/didChangeConfiguration", c.Origin));
        Assert.Equal(Assert.Single(events.OfType<SessionStartedEvent>()).SessionId, changes[0].SessionId);
    }

    [Fact]
    public async Task EmptyConfigurationPushes_AsEglotSendsAfterInitialized_KeepTheConsentFromInitializationOptions()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync(initializationOptions: new
        {
            telemetry = new { consent = new { enabled = true, storeContext = true, storeContextual = true, storeBehavioral = true } },
        });
        await server.Client.OpenAsync("file:///w/main.py", Main);

        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { } });
        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = (object?)null });
        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = (object?)null } });
        var query = await QueryIdAsync(server.Client);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var events = SpoolReader.Read(server.SpoolDirectory);
        Assert.NotNull(Assert.Single(events.OfType<CompletionQueryEvent>(), q => q.QueryId == query).Context);
        var change = Assert.Single(events.OfType<ConsentChangedEvent>());   // the one from initializationOptions; nothing withdrew it
        Assert.Equal("initializationOptions", change.Origin);
        Assert.Single(events.OfType<SessionEndedEvent>());
    }

    [Fact]
    public async Task ConsentSetting_Invalid_IsRefusedNamingItAndNothingChanges()
    {
        await using var server = InProcServer.Start(output, TelemetryThroughProtocolTests.FullConsent);
        await server.Client.InitializedAsync(initializationOptions: new { logging = new { clientLevel = "Information" } });
        await server.Client.OpenAsync("file:///w/main.py", Main);

        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { telemetry = new { consent = new { enabled = "maybe", storeContext = false } } } } });
        var warning = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowLogMessage), e => e.GetProperty("message").GetString()!.Contains("not applied", StringComparison.Ordinal));
        Assert.Contains("Consent:Enabled", warning.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        var query = await QueryIdAsync(server.Client);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var events = SpoolReader.Read(server.SpoolDirectory);
        Assert.NotNull(Assert.Single(events.OfType<CompletionQueryEvent>(), q => q.QueryId == query).Context);
        Assert.Empty(events.OfType<ConsentChangedEvent>());
    }

    [Fact]
    public async Task Secrets_InDocuments_NeverReachTheModelServerOrTheSpool()
    {
        const string AwsKey = "AKIAZ7Q3RN5XW2TB4KPL";
        const string Token = "ghp_Qm3xT8vR2kL9wN4pZ7yB1cF6hJ0dS5aG8eU2";
        const string Password = "Tr0ub4dor&3-horse";
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(Reply.Json("path)", [-0.1, -0.1]));
        await using var server = InProcServer.Start(output, [
            .. TelemetryThroughProtocolTests.FullConsent,
            "Code4me:Completion:Models:0:Name=fake",
            "Code4me:Completion:Models:0:Kind=OpenAi",
            $"Code4me:Completion:Models:0:Endpoint={model.BaseAddress}",
            "Code4me:Completion:Models:0:ModelId=fake-coder",
            "Code4me:Completion:Models:0:TimeoutMs=10000",
            "Code4me:Completion:DeadlineMs=10000",
        ]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/.env", $"AWS_ACCESS_KEY_ID={AwsKey}\nGITHUB_TOKEN={Token}\nDB_PASSWORD={Password}\n");
        await server.Client.OpenAsync("file:///w/deploy.pem", $"-----BEGIN PRIVATE KEY-----\n{Token}\n");
        await server.Client.OpenAsync("file:///w/settings.py", $"AWS = \"{AwsKey}\"\ngh = Github(\"{Token}\")\npassword = \"{Password}\"\n\ndef connect(path):\n    return open(\n");

        var inSecretFile = await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/.env", 1, 5, InlineCompletionTriggerKind.Invoked);
        Assert.Empty(inSecretFile.Items);
        Assert.Empty((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/deploy.pem", 1, 0, InlineCompletionTriggerKind.Invoked)).Items);
        Assert.Equal(0, model.RequestCount);

        var list = await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/settings.py", 5, 16, InlineCompletionTriggerKind.Invoked);
        var item = Assert.Single(list.Items);
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var sent = Assert.Single(model.Received).Body.GetRawText();
        var spooled = string.Concat(Directory.EnumerateFiles(server.SpoolDirectory, "*.seg", SearchOption.AllDirectories).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        Assert.Contains("def connect(path)", JsonSerializer.Deserialize<string>(JsonDocument.Parse(sent).RootElement.GetProperty("prompt").GetRawText()), StringComparison.Ordinal);
        Assert.Contains("def connect(path)", spooled, StringComparison.Ordinal);
        foreach (var secret in new[] { AwsKey, Token, Password })
        {
            Assert.DoesNotContain(secret, sent, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, spooled, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(".env", spooled, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretFilePatterns_ChangedMidSession_TakeEffectAtOnceAndInvalidOnesAreRefused()
    {
        await using var server = InProcServer.Start(output);
        await server.Client.InitializedAsync(initializationOptions: new { logging = new { clientLevel = "Information" } });
        await server.Client.OpenAsync("file:///w/vault.py", Main);
        Assert.NotEmpty((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/vault.py", 5, 15, InlineCompletionTriggerKind.Invoked)).Items);

        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { logging = new { clientLevel = "Information" }, secrets = new { filePatterns = new[] { "vault.*" } } } } });
        Assert.Empty((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/vault.py", 5, 15, InlineCompletionTriggerKind.Invoked)).Items);

        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { secrets = new { filePatterns = new[] { new string('*', 300) } } } } });
        var warning = await LspTestClient.ReadUntilAsync(server.Client.Notifications(LspMethods.WindowLogMessage), e => e.GetProperty("message").GetString()!.Contains("not applied", StringComparison.Ordinal));
        Assert.Contains("Code4me:Secrets:FilePatterns", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/vault.py", 5, 15, InlineCompletionTriggerKind.Invoked)).Items);
    }

    private static async Task<Guid> QueryIdAsync(LspTestClient client)
    {
        var list = await InlineCompletionTests.CompleteAsync(client, "file:///w/main.py", 5, 15, InlineCompletionTriggerKind.Invoked);
        return Guid.Parse(Assert.Single(list.Items).Command!.Arguments![0].GetProperty("queryId").GetString()!);
    }

    private static Task ChangeConsentAsync(LspTestClient client, object consent) =>
        client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { telemetry = new { consent } } } });

    private static long SpoolBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "lock").Sum(f => new FileInfo(f).Length);
}
