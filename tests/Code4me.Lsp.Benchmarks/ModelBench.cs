using System.Diagnostics;
using System.Globalization;
using System.Net;
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

    public static async Task RemoteOverheadAsync(string exe, Action<string> report)
    {
        const string Body = """{"id":"x","object":"text_completion","choices":[{"index":0,"text":"path, delimiter=',')","finish_reason":"stop","logprobs":{"tokens":["path"],"token_logprobs":[-0.1]}}]}""";
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            var payload = Encoding.UTF8.GetBytes(Body);
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                await context.Request.InputStream.CopyToAsync(Stream.Null);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = payload.Length;
                await context.Response.OutputStream.WriteAsync(payload);
                context.Response.Close();
            }
        });

        // The model call itself, as a client sees it: one POST over loopback.
        using var http = new HttpClient();
        var direct = new List<double>();
        for (var i = 0; i < 1200; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var response = await http.PostAsync(new Uri($"http://127.0.0.1:{port}/v1/completions"), new StringContent("""{"prompt":"x = np.loadtxt(","suffix":""}""", Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
            if (i >= 200)
            {
                direct.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        using var client = LspProcessClient.Start(
            exe,
            "--config", "Code4me:Logging:Level=Warning",
            "--config", "Code4me:Completion:Models:0:Name=remote",
            "--config", "Code4me:Completion:Models:0:Kind=OpenAi",
            "--config", $"Code4me:Completion:Models:0:Endpoint=http://127.0.0.1:{port}");
        await client.SendAsync(LspProcessClient.Request(1, "initialize", new { processId = Environment.ProcessId, capabilities = new { } }));
        await client.ReadResponseAsync(1);
        await client.SendAsync(LspProcessClient.Notification("initialized", new { }));
        await client.SendAsync(LspProcessClient.Notification("$/setTrace", new { value = "messages" }));
        const string Uri = "file:///bench/remote.py";
        await client.SendAsync(LspProcessClient.Notification("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "python", version = 1, text = PythonModule(0, 5000) + "x = np.loadtxt(" } }));
        var server = new List<double>();
        var id = 10;
        for (var round = 0; round < 1200; round++)
        {
            var (_, serverMs, _) = await client.RequestTracedAsync(id += 2, "textDocument/inlineCompletion", new { textDocument = new { uri = Uri }, position = new { line = 5000, character = 15 }, context = new { triggerKind = 1 } });
            if (round >= 200)
            {
                server.Add(serverMs);
            }
        }

        await stop.CancelAsync();
        listener.Stop();
        await serving;
        direct.Sort();
        server.Sort();
        report(string.Create(CultureInfo.InvariantCulture, $"remote-overhead: model call over loopback p50 {P(direct, 50):F2} ms, p99 {P(direct, 99):F2} ms; server-side inlineCompletion with that model p50 {P(server, 50):F2} ms, p99 {P(server, 99):F2} ms"));
        report(string.Create(CultureInfo.InvariantCulture, $"remote-overhead: added by the server p50 {P(server, 50) - P(direct, 50):F2} ms, p99 {P(server, 99) - P(direct, 99):F2} ms (target <= 2 ms p99)"));
    }

    private static double P(List<double> sorted, int percentile) => LspProcessClient.Percentile(sorted, percentile);

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private static string PythonModule(int seed, int lines)
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
