using System.Diagnostics;
using System.Globalization;
using System.Text;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// The offline model's memory for a 100k-line workspace (in process), and the time the server adds on top of a
/// remote model call (a loopback server that answers at once in the OpenAI completions wire format).
/// </summary>
internal static class ModelBench
{
    public static async Task MemoryAsync(Action<string> report)
    {
        var workspace = Directory.CreateTempSubdirectory("code4me-bench-ws-");
        try
        {
            var lines = 0;
            for (var file = 0; lines < 100_000; file++)
            {
                var text = PythonModule(file, 500);
                lines += 500;
                await File.WriteAllTextAsync(Path.Combine(workspace.FullName, $"module_{file}.py"), text);
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var options = new OfflineModelOptions();
            var model = new OfflineCodeModel(options);
            var stopwatch = Stopwatch.StartNew();
            var files = await new WorkspaceIndexer(model, options, NullLogger<WorkspaceIndexer>.Instance).IndexAsync([workspace.FullName], null, CancellationToken.None);
            var elapsed = stopwatch.Elapsed.TotalSeconds;
            var after = GC.GetTotalMemory(forceFullCollection: true);
            var memory = model.GetMemory();
            report(string.Create(CultureInfo.InvariantCulture, $"model-memory: {lines:N0} lines in {files} files indexed in {elapsed:F1} s; managed heap grew {(after - before) / 1048576.0:F1} MiB; model reports {memory.Entries:N0} n-gram entries, vocabulary {memory.VocabularySize:N0}, ~{memory.ApproximateBytes / 1048576.0:F1} MiB, {memory.Prunings} prunings (cap {options.MaxEntries:N0} entries)"));
            GC.KeepAlive(model);
        }
        finally
        {
            workspace.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Server-side time of <c>textDocument/inlineCompletion</c> with a remote model against the model call itself. The
    /// reference POST sends the very body the server sent (captured by the loopback model server), and the two are
    /// interleaved round by round so that load from other processes on the machine falls on both alike.
    /// </summary>
    public static async Task RemoteOverheadAsync(string exe, Action<string> report)
    {
        const int Warmup = 200;
        const int Rounds = 1000;
        var steadyAfter = TimeSpan.FromSeconds(10);
        await using var model = new LoopbackModelServer();
        using var client = LspProcessClient.Start(
            exe,
            "--config", "Code4me:Completion:Models:0:Name=remote",
            "--config", "Code4me:Completion:Models:0:Kind=OpenAi",
            "--config", $"Code4me:Completion:Models:0:Endpoint=http://127.0.0.1:{model.Port}");
        await client.SendAsync(LspProcessClient.Request(1, "initialize", new { processId = Environment.ProcessId, capabilities = new { } }));
        await client.ReadResponseAsync(1);
        await client.SendAsync(LspProcessClient.Notification("initialized", new { }));
        await client.SendAsync(LspProcessClient.Notification("$/setTrace", new { value = "messages" }));
        const string Uri = "file:///bench/remote.py";
        await client.SendAsync(LspProcessClient.Notification("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "python", version = 1, text = PythonModule(0, 5000) + "x = np.loadtxt(" } }));
        var id = 10;
        Task<(System.Text.Json.JsonElement, double ServerMs, double RoundTripMs)> CompleteAsync() =>
            client.RequestTracedAsync(id += 2, "textDocument/inlineCompletion", new { textDocument = new { uri = Uri }, position = new { line = 5000, character = 15 }, context = new { triggerKind = 1 } });

        // One request through the server, so the reference sends exactly what the server sends.
        await CompleteAsync();
        var body = model.LastRequest;

        using var http = new HttpClient();
        async Task<(double DirectMs, double ServerMs, double RoundTripMs)> RoundAsync()
        {
            var stopwatch = Stopwatch.StartNew();
            using (var content = new ByteArrayContent(body))
            {
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                using var response = await http.PostAsync(model.Endpoint, content);
                await response.Content.ReadAsByteArrayAsync();
            }

            var directMs = stopwatch.Elapsed.TotalMilliseconds;
            var (_, serverMs, roundTripMs) = await CompleteAsync();
            return (directMs, serverMs, roundTripMs);
        }

        // Early: the 1000 rounds after a 200-round warm-up, while the runtime still re-compiles hot methods (tiered JIT)
        // in the background. Steady: 1000 rounds once the server has been busy for steadyAfter, as in an editor session
        // that has been open for a while.
        await MeasureAsync("early", Warmup);
        var busy = Stopwatch.StartNew();
        while (busy.Elapsed < steadyAfter)
        {
            await RoundAsync();
        }

        await MeasureAsync($"steady (after {steadyAfter.TotalSeconds:F0} s more)", 0);

        async Task MeasureAsync(string phase, int warmup)
        {
            var direct = new List<double>();
            var server = new List<double>();
            var roundTrip = new List<double>();
            for (var round = 0; round < warmup + Rounds; round++)
            {
                var (directMs, serverMs, roundTripMs) = await RoundAsync();
                if (round >= warmup)
                {
                    direct.Add(directMs);
                    server.Add(serverMs);
                    roundTrip.Add(roundTripMs);
                }
            }

            direct.Sort();
            server.Sort();
            roundTrip.Sort();
            report(string.Create(CultureInfo.InvariantCulture, $"remote-overhead [{phase}]: model call over loopback ({body.Length} bytes, the server's own request body) p50 {P(direct, 50):F2} ms, p99 {P(direct, 99):F2} ms; server-side inlineCompletion with that model p50 {P(server, 50):F2} ms, p99 {P(server, 99):F2} ms ({Rounds} interleaved rounds)"));
            report(string.Create(CultureInfo.InvariantCulture, $"remote-overhead [{phase}]: added by the server p50 {P(server, 50) - P(direct, 50):F2} ms, p99 {P(server, 99) - P(direct, 99):F2} ms (target <= 2 ms p99)"));
            report(string.Create(CultureInfo.InvariantCulture, $"remote-overhead [{phase}]: client round trip over stdio p50 {P(roundTrip, 50):F2} ms, p99 {P(roundTrip, 99):F2} ms (what the editor waits: the model call, the server, the stdio hops)"));
        }
    }

    private static double P(List<double> sorted, int percentile) => LspProcessClient.Percentile(sorted, percentile);

    internal static string PythonModule(int seed, int lines)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        var written = 0;
        for (var function = 0; written < lines; function++)
        {
            var name = $"f{seed}_{function}_{random.Next(1000)}";
            builder.Append(CultureInfo.InvariantCulture, $"def {name}(items, limit={random.Next(100)}):\n");
            builder.Append(CultureInfo.InvariantCulture, $"    total_{random.Next(50)} = sum(item.value * {random.Next(9) + 1} for item in items[:limit])\n");
            builder.Append(CultureInfo.InvariantCulture, $"    if total_{random.Next(50)} > {random.Next(1000)}:\n        log.warning(\"{name} over budget\")\n");
            builder.Append("    return [item.name for item in items if item.enabled]\n\n");
            written += 6;
        }

        return builder.ToString();
    }
}
