using System.Diagnostics;
using System.Globalization;
using Code4me.Lsp.IntegrationTests.Support;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// Both publishes of code4me-lsp (Native AOT, the default, and ReadyToRun), and with <c>--copilot</c> GitHub Copilot's
/// language server, started in turn round after round through the same client (issue #20): process start →
/// <c>initialize</c> response, resident memory 2 s after <c>initialized</c>, then for code4me-lsp the first completion
/// (offline model, no workspace) as the server times it and as the client waits for it; each publish's time and size
/// on disk. The builds are published here, into <c>artifacts/startup/</c>.
/// </summary>
internal static class StartupCompareBench
{
    /// <summary>The version measured in issue #20; pinned so that runs compare.</summary>
    private const string CopilotVersion = "1.539.0";

    public static async Task RunAsync(int rounds, bool copilot, Action<string> report)
    {
        var root = Repository.Root;
        var servers = new List<Server>();
        foreach (var (name, extra) in new[] { ("native-aot", Array.Empty<string>()), ("readytorun", ["-p:Code4meReadyToRun=true"]) })
        {
            var output = Path.Combine(root, "artifacts", "startup", name);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }

            var clock = Stopwatch.StartNew();
            await BenchProcess.RunToEndAsync("dotnet", ["publish", Path.Combine(root, "server", "Code4me.Lsp"), "-c", "Release", "-o", output, "--nologo", "-v", "quiet", .. extra]);
            servers.Add(new Server(name, Path.Combine(output, "code4me-lsp"), [], Ours: true, clock.Elapsed.TotalSeconds, SizeMiB(output), output));
        }

        if (copilot)
        {
            var prefix = Path.Combine(root, ".cache", "copilot-ls");
            var package = Path.Combine(prefix, "node_modules", "@github", "copilot-language-server");
            if (!File.Exists(Path.Combine(package, "dist", "language-server.js")))
            {
                Directory.CreateDirectory(prefix);
                await BenchProcess.RunToEndAsync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", $"@github/copilot-language-server@{CopilotVersion}"]);
            }

            servers.Add(new Server(
                $"copilot-language-server {CopilotVersion}", "node", [Path.Combine(package, "dist", "language-server.js"), "--stdio"], Ours: false, null, SizeMiB(Path.Combine(prefix, "node_modules", "@github")), Path.Combine(prefix, "node_modules", "@github")));
        }

        var results = servers.ToDictionary(s => s, _ => new Measured());
        foreach (var server in servers)
        {
            // Round 0 then starts each server from disk, as after an install and a reboot; the counted rounds find the
            // page cache as that start left it.
            PageCache.Evict(server.Files);
        }

        for (var round = 0; round <= rounds; round++)
        {
            foreach (var server in servers)
            {
                var one = await MeasureAsync(server);
                if (round > 0)
                {
                    // Round 0 reads each server from disk (PageCache.Evict above); it is not counted.
                    results[server].Add(one);
                }
            }
        }

        foreach (var server in servers)
        {
            var m = results[server];
            var build = server.PublishSeconds is { } seconds
                ? string.Create(CultureInfo.InvariantCulture, $"published in {seconds:F0} s, {server.SizeMiB:F1} MiB on disk")
                : string.Create(CultureInfo.InvariantCulture, $"{server.SizeMiB:F1} MiB on disk (the npm package and the platform binary it starts)");
            report(string.Create(
                CultureInfo.InvariantCulture,
                $"startup-compare: {server.Name}: start -> initialize median {Median(m.Start):F0} ms ({m.Start.Min():F0}-{m.Start.Max():F0}), idle memory median {Median(m.Memory):F1} MiB; {build}"));
            if (server.Ours)
            {
                report(string.Create(
                    CultureInfo.InvariantCulture,
                    $"startup-compare: {server.Name}: first completion (offline model, no workspace) server-side median {Median(m.FirstServer):F2} ms (max {m.FirstServer.Max():F2}), round trip median {Median(m.FirstRoundTrip):F2} ms (target <= 20 ms server-side)"));
            }
        }

        report($"startup-compare: {rounds} rounds, servers started in turn in each; targets for the default publish: start <= 100 ms, idle <= 40 MB");
    }

    private static async Task<(double Start, double Memory, double? FirstServer, double? FirstRoundTrip)> MeasureAsync(Server server)
    {
        var stopwatch = Stopwatch.StartNew();
        using var client = LspProcessClient.Start(server.Command, server.Arguments);
        await client.SendAsync(LspProcessClient.Request(1, "initialize", new
        {
            processId = Environment.ProcessId,
            clientInfo = new { name = "code4me-bench", version = "1" },
            capabilities = new { },
        }));
        await client.ReadResponseAsync(1);
        var start = stopwatch.Elapsed.TotalMilliseconds;
        await client.SendAsync(LspProcessClient.Notification("initialized", new { }));
        await Task.Delay(2000);
        var memory = client.ResidentTreeMiB();
        if (!server.Ours)
        {
            return (start, memory, null, null);
        }

        await client.SendAsync(LspProcessClient.Notification("$/setTrace", new { value = "messages" }));
        const string Uri = "file:///bench/first.py";
        const string Text = "def area(width, height):\n    return width * height\n\n\ndef volume(width, height, depth):\n    return area(width, height) * depth\n\n\nprint(ar";
        await client.SendAsync(LspProcessClient.Notification("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "python", version = 1, text = Text } }));
        var (_, serverMs, roundTripMs) = await client.RequestTracedAsync(
            10, "textDocument/inlineCompletion", new { textDocument = new { uri = Uri }, position = new { line = 8, character = 8 }, context = new { triggerKind = 1 } });
        return (start, memory, serverMs, roundTripMs);
    }

    /// <summary>What the server needs to run: the folder without debug symbols and API documentation.</summary>
    private static double Median(List<double> values) => LspProcessClient.Percentile(values.Order().ToList(), 50);

    private static double SizeMiB(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Extension is not (".dbg" or ".pdb" or ".xml"))
            .Sum(f => f.Length) / 1024.0 / 1024.0;

    private sealed record Server(string Name, string Command, string[] Arguments, bool Ours, double? PublishSeconds, double SizeMiB, string Files);

    private sealed class Measured
    {
        public List<double> Start { get; } = [];

        public List<double> Memory { get; } = [];

        public List<double> FirstServer { get; } = [];

        public List<double> FirstRoundTrip { get; } = [];

        public void Add((double Start, double Memory, double? FirstServer, double? FirstRoundTrip) one)
        {
            Start.Add(one.Start);
            Memory.Add(one.Memory);
            if (one.FirstServer is { } server)
            {
                FirstServer.Add(server);
                FirstRoundTrip.Add(one.FirstRoundTrip!.Value);
            }
        }
    }
}
