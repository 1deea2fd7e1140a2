using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.IntegrationTests.Telemetry;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Privacy;

/// <summary>Logs are data too: no log line at any level, on stderr or in window/logMessage, carries code text.</summary>
public sealed class LogsCarryNoCodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task FullSession_LoggingAtTrace_NoLogLineCarriesTheDocumentsCode()
    {
        var marker = "zq" + Guid.NewGuid().ToString("N")[..12];
        var text = $"import numpy as np\n\ndef {marker}(path):\n    return np.loadtxt(path)  # {marker}\n\nx = np.loadtxt(\n";
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Json($"path, {marker})", [-0.1, -0.1]));
        await using var server = InProcServer.Start(output, [
            .. TelemetryThroughProtocolTests.FullConsent,
            "Code4me:Logging:Level=Trace",
            "Code4me:Completion:Models:0:Name=ngram",
            "Code4me:Completion:Models:0:Kind=Offline",
            "Code4me:Completion:Models:1:Name=fake",
            "Code4me:Completion:Models:1:Kind=OpenAi",
            $"Code4me:Completion:Models:1:Endpoint={model.BaseAddress}",
            "Code4me:Completion:Models:1:ModelId=fake-coder",
            "Code4me:Completion:Models:1:ApiKeyEnvironmentVariable=PATH",
            "Code4me:Completion:Models:1:TimeoutMs=10000",
        ]);
        await server.Client.InitializedAsync(initializationOptions: new { logging = new { level = "Trace", clientLevel = "Trace" } });
        await server.Client.OpenAsync("file:///w/other.py", $"def helper_{marker}():\n    pass\n");
        await ScriptedSession.RunAsync(server.Client, "file:///w/main.py", text);
        await server.Client.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, new { settings = new { code4me = new { logging = new { level = "Trace", clientLevel = "Trace" }, server = new { parentProcessPollMs = 1 } } } });
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));

        var clientLines = new List<string>();
        var reader = server.Client.Notifications(LspMethods.WindowLogMessage);
        while (reader.TryRead(out var message))
        {
            clientLines.Add(message.GetProperty("message").GetString()!);
        }

        Assert.Contains(server.Logs.Lines, l => l.Contains("inlineCompletion", StringComparison.OrdinalIgnoreCase));   // Trace really logged the requests
        Assert.Contains(server.Logs.Lines, l => l.Contains("executeCommand", StringComparison.OrdinalIgnoreCase));
        Assert.NotEmpty(clientLines);
        Assert.NotEmpty(model.Received);   // the prompt (with the marker) went to the model over HTTP, logged at Trace
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains(marker, StringComparison.Ordinal));
        Assert.DoesNotContain(clientLines, l => l.Contains(marker, StringComparison.Ordinal));
        var apiKey = Environment.GetEnvironmentVariable("PATH")!;   // the model's API key in this test (logged headers are redacted)
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains(apiKey, StringComparison.Ordinal));
    }
}
