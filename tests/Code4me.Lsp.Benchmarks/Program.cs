using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// The bench command: prints figures for the targets in the issues (never asserted in tests).
/// <c>dotnet run -c Release --project tests/Code4me.Lsp.Benchmarks -- [startup|edits|completion|remote-overhead|remote-pieces|db-away|
/// model-memory|telemetry|quality|report|all] [--exe PATH] [--database URL] [--events N] [--naive-events N] [--batch N] [--rounds N] [--requests N] [--profile] [--signed-in] [--against-schema N] [--months-back N] [--toast-compression pglz|lz4] [--positions N] [--seed N] [--min-confidence X] [--queries N]</c>.
/// <c>report</c> times the <c>report</c> command over <c>--queries</c> (default 1,000,000) generated queries in a throwaway cluster.
/// <c>quality</c> needs no executable either: it runs the offline model in process on real code (see <see cref="Quality.QualityBench"/>).
/// <c>telemetry</c> needs no executable; without <c>--database</c> (a server where the user may create databases) it starts a
/// throwaway cluster. <c>telemetry --profile</c> runs only the writer, traced, and prints where its time goes (statement by
/// statement, COPY by COPY); <c>telemetry --signed-in</c> writes a participant's queries instead of anonymous ones;
/// <c>telemetry --against-schema N</c> compares the writer into the latest schema with the writer into schema N, and
/// <c>--months-back N</c> gives the partitioned schemas the monthly partitions of N past months first; <c>--toast-compression lz4</c>
/// starts the throwaway cluster with that default compression, so that a schema before 0017 compresses as the latest does.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var what = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).FirstOrDefault() ?? "all";
        if (what == "telemetry")
        {
            await TelemetryAsync(args);
            return 0;
        }

        if (what == "load")
        {
            await LoadBench.RunAsync(
                [.. (Option(args, "--editors") ?? "50,200,1000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))],
                int.Parse(Option(args, "--seconds") ?? "15", CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--pool") ?? "4", CultureInfo.InvariantCulture),
                (Option(args, "--modes") ?? "direct,pgbouncer").Split(','),
                Report);
            return 0;
        }

        if (what == "purge")
        {
            await PurgeBench.RunAsync(
                int.Parse(Option(args, "--events") ?? "100000", CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture),
                Report);
            return 0;
        }

        if (what == "quality")
        {
            return await Quality.QualityBench.RunAsync(
                int.Parse(Option(args, "--positions") ?? "1500", CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--seed") ?? "13", CultureInfo.InvariantCulture),
                Option(args, "--min-confidence") is { } threshold ? double.Parse(threshold, CultureInfo.InvariantCulture) : null,
                Report);
        }

        if (what == "startup-compare")
        {
            await StartupCompareBench.RunAsync(int.Parse(Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture), args.Contains("--copilot"), Report);
            return 0;
        }

        if (what == "remote-pieces")
        {
            await RemotePiecesBench.RunAsync(Report);
            return 0;
        }

        var exe = Option(args, "--exe") ?? Path.Combine(AppContext.BaseDirectory, "code4me-lsp");
        if (!File.Exists(exe))
        {
            await Console.Error.WriteLineAsync($"bench: no executable at {exe}; publish it (dotnet publish server/Code4me.Lsp -c Release -o OUT) and pass --exe OUT/code4me-lsp");
            return 2;
        }

        Report($"executable: {exe}");
        if (what is "startup" or "all")
        {
            await StartupAsync(exe);
        }

        if (what is "edits" or "all")
        {
            await EditsAsync(exe);
        }

        if (what is "completion" or "all")
        {
            await CompletionBench.RunAsync(exe, Report);
        }

        if (what is "remote-overhead" or "all")
        {
            await ModelBench.RemoteOverheadAsync(exe, Report);
        }

        if (what is "db-away" or "all")
        {
            await DbAwayBench.RunAsync(exe, int.Parse(Option(args, "--requests") ?? "1000", CultureInfo.InvariantCulture), Report);
        }

        if (what == "report")
        {
            await ReportBench.RunAsync(exe, int.Parse(Option(args, "--queries") ?? "1000000", CultureInfo.InvariantCulture), Report);
            return 0;
        }

        if (what is "model-memory" or "all")
        {
            await ModelBench.MemoryAsync(Report);
        }

        if (what == "all")
        {
            await TelemetryAsync(args);
        }

        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static Task TelemetryAsync(string[] args) => TelemetryBenchmark.RunAsync(
        Option(args, "--database"),
        int.Parse(Option(args, "--events") ?? "40000", CultureInfo.InvariantCulture),
        int.Parse(Option(args, "--naive-events") ?? "2000", CultureInfo.InvariantCulture),
        int.Parse(Option(args, "--batch") ?? "2000", CultureInfo.InvariantCulture),
        int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture),
        args.Contains("--profile"),
        args.Contains("--signed-in"),
        Option(args, "--against-schema") is { } schema ? int.Parse(schema, CultureInfo.InvariantCulture) : null,
        int.Parse(Option(args, "--months-back") ?? "0", CultureInfo.InvariantCulture),
        Option(args, "--toast-compression"),
        Report);

    private static void Report(string line) => Console.Error.WriteLine(line);

    private static async Task StartupAsync(string exe)
    {
        const int Runs = 10;
        var times = new List<double>();
        var memory = new List<double>();
        PageCache.Evict(Path.GetDirectoryName(Path.GetFullPath(exe))!);
        for (var run = 0; run < Runs + 1; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var client = LspProcessClient.Start(exe);
            await client.SendAsync(LspProcessClient.Request(1, "initialize", new { processId = Environment.ProcessId, capabilities = new { } }));
            await client.ReadResponseAsync(1);
            var elapsed = stopwatch.Elapsed.TotalMilliseconds;
            await client.SendAsync(LspProcessClient.Notification("initialized", new { }));
            await Task.Delay(2000);
            if (run > 0)
            {
                // The first run reads the server from disk (PageCache.Evict) and is not counted.
                times.Add(elapsed);
                memory.Add(client.ResidentMiB());
            }
        }

        times.Sort();
        memory.Sort();
        Report(string.Create(CultureInfo.InvariantCulture, $"startup: process start -> initialize response: median {times[Runs / 2]:F0} ms, min {times[0]:F0} ms, max {times[^1]:F0} ms ({Runs} runs; target <= 100 ms for the Native AOT publish)"));
        Report(string.Create(CultureInfo.InvariantCulture, $"startup: resident memory idle 2 s after initialized: median {memory[Runs / 2]:F1} MiB (target <= 40 MB = 38.1 MiB for the Native AOT publish)"));
    }

    private static async Task EditsAsync(string exe)
    {
        foreach (var size in new[] { 50_000, 500_000, 5_000_000 })
        {
            foreach (var edits in new[] { 1_000, 10_000 })
            {
                var ms = await TimeEditsAsync(exe, size, edits);
                Report(string.Create(CultureInfo.InvariantCulture, $"edits: {edits,6} single-character didChange on a {size / 1000,5} KB document: {ms,7:F0} ms total, {ms * 1000 / edits,6:F1} us/edit"));
            }
        }
    }

    private static async Task<double> TimeEditsAsync(string exe, int size, int edits)
    {
        using var client = LspProcessClient.Start(exe);
        await client.SendAsync(LspProcessClient.Request(1, "initialize", new { processId = Environment.ProcessId, capabilities = new { } }));
        await client.ReadResponseAsync(1);
        await client.SendAsync(LspProcessClient.Notification("initialized", new { }));

        var line = new string('x', 79) + "\n";
        var text = new StringBuilder(size + line.Length);
        while (text.Length < size)
        {
            text.Append(line);
        }

        const string Uri = "file:///bench/big.txt";
        await client.SendAsync(LspProcessClient.Notification("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "plaintext", version = 1, text = text.ToString() } }));
        await client.SendAsync(LspProcessClient.Request(2, "code4me/documentState", new { textDocument = new { uri = Uri } }));
        await client.ReadResponseAsync(2);

        var lines = text.Length / line.Length;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < edits; i++)
        {
            // Typing in the middle of the document, moving down a line every 40 characters.
            var at = new { line = (lines / 2) + (i / 40), character = i % 40 };
            await client.SendAsync(
                LspProcessClient.Notification("textDocument/didChange", new { textDocument = new { uri = Uri, version = i + 2 }, contentChanges = new[] { new { range = new { start = at, end = at }, text = "y" } } }),
                flush: i % 100 == 99);
        }

        await client.SendAsync(LspProcessClient.Request(3, "code4me/documentState", new { textDocument = new { uri = Uri } }));
        var state = await client.ReadResponseAsync(3);
        var elapsed = stopwatch.Elapsed.TotalMilliseconds;
        var length = state.GetProperty("result").GetProperty("length").GetInt32();
        if (length != text.Length + edits)
        {
            throw new InvalidOperationException($"The server's document has {length} characters, expected {text.Length + edits}.");
        }

        return elapsed;
    }
}
