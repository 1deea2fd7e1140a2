using System.Text.Json;
using Code4me.Lsp.IntegrationTests.Completion;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;
using Dapper;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// Through the real protocol and into real PostgreSQL (the session's spool uploaded by <c>telemetry flush</c>): a model
/// that answers after the editor got its item is still recorded, and the other files in the prompt can be rebuilt.
/// </summary>
public sealed class MultiModelAndMultiFileThroughProtocolTests(DatabaseFixture fixture, ITestOutputHelper output) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task FirstToAnswer_SecondModelAnswersAfterTheItemWasShown_BothGenerationsRecordedAndTheShownOneMarked()
    {
        var slowGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fast = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        await using var slow = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        fast.Enqueue(FakeModelServer.Reply.Json("path)", [-0.1, -0.2], usage: (120, 2)));
        slow.Enqueue(async context =>
        {
            await slowGate.Task.WaitAsync(context.RequestAborted);
            await FakeModelServer.Reply.Json("path, sep=';')", [-0.3], usage: (131, 6))(context);
        });
        await using var server = InProcServer.Start(output, [.. TelemetryThroughProtocolTests.FullConsent, .. Remote(("fast", fast), ("slow", slow))]);
        await server.Client.InitializedAsync();
        await server.Client.OpenAsync("file:///w/main.py", "rows = np.loadtxt(");

        // Automatic: an invoked request waits for every model (so the editor can cycle); typing takes the first answer.
        var item = Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 18, InlineCompletionTriggerKind.Automatic)).Items);
        Assert.Equal("path)", item.InsertText);
        var queryId = item.Command!.Arguments![0].GetProperty("queryId").GetString()!;
        await server.Client.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
        // A request after the notification: the server has applied the shown report before it answers.
        var state = await server.Client.RequestAsync<JsonElement>(LspMethods.Code4meQueryState, new { queryId });
        Assert.Equal(1, state.GetProperty("shownCount").GetInt32());
        Assert.Equal(["fast"], state.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        slowGate.SetResult();
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));
        await FlushAsync(server.SpoolDirectory);

        var rows = await QueryAsync<(string, string, int, int?, int?)>(
            """
            SELECT m.model_name, g.completion, cardinality(g.shown_at), g.prompt_tokens, g.completion_tokens
            FROM had_generation g JOIN model_name m USING (model_id) WHERE g.meta_query_id = @Id ORDER BY m.model_name
            """, Guid.Parse(queryId));
        Assert.Equal([("fast", "path)", 1, 120, 2), ("slow", "path, sep=';')", 0, 131, 6)], rows);
    }

    [Fact]
    public async Task RemoteModel_OtherFileEditedBetweenTwoQueries_BaselineChangesAndIndexesRebuildItAtEachQuery()
    {
        const string UtilV1 = "def add(a, b):\n    return a + b\n";
        const string UtilV2 = "def add(a, b):\n    return a + b * 2\n";    // line 1, character 15 ("b") replaced by "b * 2"
        await using var model = await FakeModelServer.StartAsync(output, TestTimeout.Token());
        model.Enqueue(FakeModelServer.Reply.Json("1, 2)", null));
        await using var server = InProcServer.Start(output, [.. TelemetryThroughProtocolTests.FullConsent, .. Remote(("remote", model))]);
        await server.Client.InitializeAsync(workspaceFolders: ["/w"]);
        await server.Client.NotifyAsync(LspMethods.Initialized, new { });
        await server.Client.OpenAsync("file:///w/lib/util.py", UtilV1);
        await server.Client.OpenAsync("file:///w/main.py", "x = add(\ny = add(");

        var first = Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 0, 8, InlineCompletionTriggerKind.Invoked)).Items);
        await server.Client.ChangeAsync("file:///w/lib/util.py", 2, LspTestClient.Edit(1, 15, 1, 16, "b * 2"));
        var second = Assert.Single((await InlineCompletionTests.CompleteAsync(server.Client, "file:///w/main.py", 1, 8, InlineCompletionTriggerKind.Invoked)).Items);
        await server.Client.ShutdownAndExitAsync();
        Assert.Equal(0, await server.ExitCode.WaitAsync(TestTimeout.Value));
        await FlushAsync(server.SpoolDirectory);

        // The other file really was in both prompts.
        Assert.All(model.Received, r => Assert.Contains("# Path: /w/lib/util.py", r.Body.GetProperty("prompt").GetString(), StringComparison.Ordinal));
        Assert.Equal(UtilV1, await RebuildAsync(QueryIdOf(first), "lib/util.py"));
        Assert.Equal(UtilV2, await RebuildAsync(QueryIdOf(second), "lib/util.py"));
    }

    private static Guid QueryIdOf(InlineCompletionItem item) => Guid.Parse(item.Command!.Arguments![0].GetProperty("queryId").GetString()!);

    /// <summary>What a researcher does: the project's baseline of the path, then the query's listed changes in order.</summary>
    private async Task<string> RebuildAsync(Guid queryId, string path)
    {
        var (contextsJson, changesJson, indexesJson) = (await QueryAsync<(string, string, string)>(
            """
            SELECT p.multi_file_contexts::text, p.multi_file_context_changes::text, m.multi_file_context_changes_indexes::text
            FROM meta_query m JOIN project p USING (project_id) WHERE m.meta_query_id = @Id
            """, queryId)).Single();
        using var contexts = JsonDocument.Parse(contextsJson);
        using var changes = JsonDocument.Parse(changesJson);
        using var indexes = JsonDocument.Parse(indexesJson);
        var baseline = contexts.RootElement.GetProperty(path).GetString()!;
        var text = baseline;
        foreach (var key in indexes.RootElement.GetProperty(path).EnumerateArray())
        {
            var change = changes.RootElement.GetProperty(key.GetString()!);
            var offset = change.GetProperty("offset").GetInt32();
            var deleted = change.GetProperty("deleted").ValueKind == JsonValueKind.Null ? text.Length - offset : change.GetProperty("deleted").GetInt32();
            var inserted = change.GetProperty("text").ValueKind == JsonValueKind.Null ? baseline : change.GetProperty("text").GetString()!;
            text = string.Concat(text.AsSpan(0, offset), inserted, text.AsSpan(offset + deleted));
        }

        return text;
    }

    private async Task FlushAsync(string spool)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Cli.RunAsync(["telemetry", "flush", "--database", fixture.Database.ConnectionString, "--spool", spool], new CliContext(Stream.Null, Stream.Null, stdout, stderr));
        Assert.True(exitCode == 0, stderr.ToString());
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Guid id)
    {
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync(TimeoutToken.Create());
        return [.. await connection.QueryAsync<T>(new CommandDefinition(sql, new { Id = id }, cancellationToken: TimeoutToken.Create()))];
    }

    private static string[] Remote(params (string Name, FakeModelServer Server)[] models)
    {
        List<string> settings = ["Code4me:Completion:Policy=FirstToAnswer", "Code4me:Completion:DeadlineMs=20000", "Code4me:Completion:RemoteRetries=0"];
        for (var i = 0; i < models.Length; i++)
        {
            settings.AddRange([
                $"Code4me:Completion:Models:{i}:Name={models[i].Name}",
                $"Code4me:Completion:Models:{i}:Kind=OpenAi",
                $"Code4me:Completion:Models:{i}:Endpoint={models[i].Server.BaseAddress}",
                $"Code4me:Completion:Models:{i}:TimeoutMs=20000"]);
        }

        return [.. settings];
    }
}
