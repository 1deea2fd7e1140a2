using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;

namespace Code4me.Lsp.IntegrationTests.Completion;

/// <summary>A remote FIM model (a loopback server speaking the OpenAI completions wire format) next to the offline one.</summary>
public sealed class RemoteModelThroughProtocolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoModels_BothRecorded_HighestConfidenceShown()
    {
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Json("path, sep=';')", [-0.01, -0.02, -0.01]));
        await using var server = InProcServer.Start(output, [.. Telemetry.TelemetryThroughProtocolTests.FullConsent, .. Models(model, "HighestConfidence")]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "rows = np.loadtxt(");

        var item = Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 18, InlineCompletionTriggerKind.Invoked)).Items);
        Assert.Equal("path, sep=';')", item.InsertText);
        Assert.Equal("remote", item.Command!.Arguments![0].GetProperty("model").GetString());

        // The request carried the prefix and suffix (fill-in-the-middle through the suffix field).
        var body = Assert.Single(model.Received).Body;
        Assert.EndsWith("rows = np.loadtxt(", body.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.True(body.TryGetProperty("suffix", out _));

        await server.Client.ShutdownAndExitAsync();
        await server.ExitCode.WaitAsync(TestTimeout.Value);
        var query = Assert.Single(SpoolReader.Read(server.SpoolDirectory).OfType<CompletionQueryEvent>());
        Assert.Equal(["ngram", "remote"], query.Generations.Select(g => g.Model).Order());
        Assert.Equal([-0.01, -0.02, -0.01], query.Generations.Single(g => g.Model == "remote").Logprobs);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(429)]
    public async Task RemoteFails_EditorGetsAnEmptyListQuickly_AndTheFailureIsRecorded(int status)
    {
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Status(status), FakeModelServer.Reply.Status(status), FakeModelServer.Reply.Status(status));
        await using var server = InProcServer.Start(output, [.. Telemetry.TelemetryThroughProtocolTests.FullConsent, .. Models(model, "FirstToAnswer", includeOffline: false), "Code4me:Completion:RemoteRetries=0"]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "rows = np.loadtxt(");

        var list = await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 18, InlineCompletionTriggerKind.Invoked);
        Assert.Empty(list.Items);

        await server.Client.ShutdownAndExitAsync();
        await server.ExitCode.WaitAsync(TestTimeout.Value);
        var generation = Assert.Single(Assert.Single(SpoolReader.Read(server.SpoolDirectory).OfType<CompletionQueryEvent>()).Generations);
        Assert.Equal("remote", generation.Model);
        Assert.Equal(string.Empty, generation.Completion);
        Assert.Contains(server.Logs.Lines, l => l.Contains("Completion model remote is unreachable", StringComparison.Ordinal) && l.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    private static string[] Models(FakeModelServer model, string policy, bool includeOffline = true)
    {
        List<string> settings = [$"Code4me:Completion:Policy={policy}"];
        var index = 0;
        if (includeOffline)
        {
            settings.AddRange([$"Code4me:Completion:Models:{index}:Name=ngram", $"Code4me:Completion:Models:{index}:Kind=Offline"]);
            index++;
        }

        settings.AddRange([
            $"Code4me:Completion:Models:{index}:Name=remote",
            $"Code4me:Completion:Models:{index}:Kind=OpenAi",
            $"Code4me:Completion:Models:{index}:Endpoint={model.BaseAddress}",
            $"Code4me:Completion:Models:{index}:TimeoutMs=10000"]);
        return [.. settings];
    }
}
