using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.IntegrationTests.Support;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// The published executable is killed with SIGKILL in the middle of an editing session: every event that
/// reached the spool arrives in PostgreSQL exactly once afterwards.
/// </summary>
public sealed class CrashRecoveryTests(DatabaseFixture fixture) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DirectoryInfo _spool = Directory.CreateTempSubdirectory("code4me-crash-spool-");

    [Fact]
    public async Task Sigkill_MidSession_EverySpooledEventArrivesExactlyOnce()
    {
        const int Rounds = 5;
        await using (var server = ServerProcess.Start(
            "--config", $"Code4me:Telemetry:Spool:Directory={_spool.FullName}",
            "--config", "Code4me:Telemetry:Consent:Enabled=true",
            "--config", "Code4me:Telemetry:Consent:StoreContext=true",
            "--config", "Code4me:Telemetry:Consent:StoreContextual=true",
            "--config", "Code4me:Telemetry:Consent:StoreBehavioral=true"))
        {
            var raw = server.Connection;
            await raw.RequestAsync(1, LspMethods.Initialize, new { processId = (int?)null, capabilities = new { }, clientInfo = new { name = "crash-test" } });
            await raw.ReadResultAsync(1);
            await raw.NotifyAsync(LspMethods.Initialized, new { });
            await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = "file:///w/lib.py", languageId = "python", version = 1, text = "x = np.loadtxt(path, delimiter=',')\ny = np.loadtxt(path, delimiter=',')\n" } });
            await raw.NotifyAsync(LspMethods.TextDocumentDidOpen, new { textDocument = new { uri = "file:///w/main.py", languageId = "python", version = 1, text = "z = np.loadtxt(" } });
            for (var round = 0; round < Rounds; round++)
            {
                var id = 10 + (round * 2);
                await raw.RequestAsync(id, LspMethods.TextDocumentInlineCompletion, new { textDocument = new { uri = "file:///w/main.py" }, position = new { line = 0, character = 15 }, context = new { triggerKind = 1 } });
                var item = (await raw.ReadResultAsync(id)).GetProperty("items")[0];
                await raw.NotifyAsync(LspMethods.TextDocumentDidShowCompletion, new { item });
                await raw.RequestAsync(id + 1, LspMethods.WorkspaceExecuteCommand, new { command = "code4me.acceptCompletion", arguments = item.GetProperty("command").GetProperty("arguments") });
                await raw.ReadResultAsync(id + 1);
            }

            // Wait (bounded) until the spool holds data, then kill with requests still arriving.
            using var timeout = new CancellationTokenSource(TestTimeout.Value);
            while (SegmentBytes() < 1024)
            {
                await Task.Delay(50, timeout.Token);
            }

            await raw.RequestAsync(99, LspMethods.TextDocumentInlineCompletion, new { textDocument = new { uri = "file:///w/main.py" }, position = new { line = 0, character = 15 }, context = new { triggerKind = 1 } });
            server.Process.Kill();
            await server.WaitForExitAsync();
        }

        var spooled = SpoolReader.Read(_spool.FullName);
        var queries = spooled.OfType<CompletionQueryEvent>().Select(e => e.QueryId).ToHashSet();
        Assert.NotEmpty(queries);
        Assert.Empty(spooled.OfType<SessionEndedEvent>());

        var first = await ServerProcess.RunAsync("telemetry", "flush", "--database", fixture.Database.ConnectionString, "--spool", _spool.FullName);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains($"Uploaded {spooled.Count} telemetry event(s)", first.Stdout, StringComparison.Ordinal);
        var second = await ServerProcess.RunAsync("telemetry", "flush", "--database", fixture.Database.ConnectionString, "--spool", _spool.FullName);
        Assert.Contains("Uploaded 0 telemetry event(s)", second.Stdout, StringComparison.Ordinal);

        var stored = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM meta_query WHERE meta_query_id = ANY(@Ids)", new { Ids = queries.ToArray() });
        Assert.Equal(queries.Count, stored);
        Assert.Equal(queries.Count, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM meta_query"));
        var shownTimes = await fixture.Database.ScalarAsync<long>("SELECT coalesce(sum(cardinality(shown_at)), 0) FROM had_generation");
        Assert.Equal(spooled.OfType<ShownEvent>().Count(e => queries.Contains(e.QueryId)), shownTimes);
    }

    public void Dispose() => _spool.Delete(recursive: true);

    private long SegmentBytes() => _spool.EnumerateFiles("*.seg", SearchOption.AllDirectories).Sum(f => f.Length);
}
