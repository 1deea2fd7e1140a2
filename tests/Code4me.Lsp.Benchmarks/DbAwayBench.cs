using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// Completion latency while the database is away (issue #4): the published server with telemetry consent on and a
/// database configured answers <c>textDocument/inlineCompletion</c> (offline model) with PostgreSQL up, then stopped
/// (<c>pg_ctl stop -m immediate</c>), then started again; server-side p50/p99 per phase. Afterwards every query the
/// server answered must be in PostgreSQL exactly once.
/// </summary>
internal static class DbAwayBench
{
    private const string Uri = "file:///bench/away.py";
    private const string Database = "code4me_away";

    public static async Task RunAsync(string exe, int requests, Action<string> report)
    {
        await using var cluster = await ThrowawayCluster.StartAsync();
        await using (var admin = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var database = cluster.ConnectionString(Database);
        await BenchProcess.RunToEndAsync(exe, "migrate", "up", "--database", database);
        var spool = Directory.CreateTempSubdirectory("code4me-bench-away-spool-");
        try
        {
            using var client = LspProcessClient.Start(
                exe,
                "--config", $"Code4me:Database:ConnectionString={database}",
                "--config", $"Code4me:Telemetry:Spool:Directory={spool.FullName}",
                "--config", "Code4me:Telemetry:Consent:Enabled=true",
                "--config", "Code4me:Telemetry:Consent:StoreContext=true",
                "--config", "Code4me:Telemetry:Consent:StoreContextual=true",
                "--config", "Code4me:Telemetry:Consent:StoreBehavioral=true",
                // Only how soon the backlog goes up after the restart, not the completion path.
                "--config", "Code4me:Telemetry:Spool:RetryMaxDelayMs=1000",
                "--config", "Code4me:Telemetry:Spool:BreakDurationMs=1000");
            await client.SendAsync(LspProcessClient.Request(1, "initialize", new { processId = Environment.ProcessId, capabilities = new { }, clientInfo = new { name = "db-away-bench" } }));
            await client.ReadResponseAsync(1);
            await client.SendAsync(LspProcessClient.Notification("initialized", new { }));
            await client.SendAsync(LspProcessClient.Notification("$/setTrace", new { value = "messages" }));
            var text = ModelBench.PythonModule(1, 2000) + "x = np.loadtxt(";
            var lastLine = text.Count(c => c == '\n');
            await client.SendAsync(LspProcessClient.Notification("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "python", version = 1, text } }));

            var queryIds = new List<string>();
            var id = 10;
            async Task<List<double>> PhaseAsync(int count)
            {
                var times = new List<double>(count);
                for (var i = 0; i < count; i++)
                {
                    var (response, serverMs, _) = await client.RequestTracedAsync(id += 2, "textDocument/inlineCompletion", new { textDocument = new { uri = Uri }, position = new { line = lastLine, character = 15 }, context = new { triggerKind = 1 } });
                    foreach (var item in response.GetProperty("result").GetProperty("items").EnumerateArray())
                    {
                        queryIds.Add(item.GetProperty("command").GetProperty("arguments")[0].GetProperty("queryId").GetString()!);
                    }

                    times.Add(serverMs);
                }

                times.Sort();
                return times;
            }

            await PhaseAsync(200); // warm-up (also recorded)
            var up = await PhaseAsync(requests);
            Report(report, "database up", up);

            await cluster.StopAsync();
            await AssertAwayAsync(database);
            var away = await PhaseAsync(requests);
            Report(report, "database stopped (pg_ctl stop -m immediate)", away);

            await cluster.StartAgainAsync();
            var back = await PhaseAsync(requests);
            Report(report, "database started again (spool backlog uploading)", back);

            var expected = 200 + (3 * requests);
            var stopwatch = Stopwatch.StartNew();
            long stored;
            await using var check = NpgsqlDataSource.Create(database);
            while ((stored = await ScalarAsync(check, "SELECT count(*) FROM meta_query")) < expected && stopwatch.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(250);
            }

            var shownIds = await ScalarAsync(check, $"SELECT count(*) FROM meta_query WHERE meta_query_id = ANY('{{{string.Join(',', queryIds)}}}'::uuid[])");
            var generations = await ScalarAsync(check, "SELECT count(*) FROM had_generation");
            var verdict = stored == expected && shownIds == queryIds.Count && generations == expected ? "every query exactly once" : "MISMATCH";
            report(string.Create(CultureInfo.InvariantCulture, $"db-away: {verdict}: {expected} queries answered, {stored} meta_query rows ({shownIds} of the {queryIds.Count} ids the items carried), {generations} had_generation rows; all stored {stopwatch.Elapsed.TotalSeconds:F1} s after the last request"));
        }
        finally
        {
            spool.Delete(recursive: true);
        }
    }

    private static async Task AssertAwayAsync(string database)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false, Timeout = 2 }.ConnectionString);
            await connection.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return;
        }

        throw new InvalidOperationException("PostgreSQL still accepts connections after pg_ctl stop.");
    }

    private static void Report(Action<string> report, string phase, List<double> sorted) =>
        report(string.Create(CultureInfo.InvariantCulture, $"db-away: {phase,-50} inlineCompletion server-side p50 {LspProcessClient.Percentile(sorted, 50):F2} ms, p99 {LspProcessClient.Percentile(sorted, 99):F2} ms, max {sorted[^1]:F2} ms ({sorted.Count} requests)"));

    private static async Task<long> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
