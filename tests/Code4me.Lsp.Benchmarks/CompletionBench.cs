using System.Globalization;
using System.Text;

namespace Code4me.Lsp.Benchmarks;

/// <summary>
/// Time per <c>textDocument/inlineCompletion</c> with the offline model on a 5,000-line document: server-side (as
/// the server itself reports it through <c>$/logTrace</c>, from parameter binding to the serialised result) and
/// the client's round trip over stdio.
/// </summary>
internal static class CompletionBench
{
    public static async Task RunAsync(string exe, Action<string> report)
    {
        using var client = LspProcessClient.Start(exe, "--config", "Code4me:Logging:Level=Warning");
        await client.SendAsync(LspProcessClient.Request(1, "initialize", new { processId = Environment.ProcessId, capabilities = new { } }));
        await client.ReadResponseAsync(1);
        await client.SendAsync(LspProcessClient.Notification("initialized", new { }));
        await client.SendAsync(LspProcessClient.Notification("$/setTrace", new { value = "messages" }));

        var text = Python5000Lines();
        const string Uri = "file:///bench/big.py";
        await client.SendAsync(LspProcessClient.Notification("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "python", version = 1, text } }));

        // Positions at the end of "    value_N = compute(" lines: the model has seen the pattern many times.
        var lines = text.Split('\n');
        var targets = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains("= compute(", StringComparison.Ordinal)).ToArray();
        var id = 10;

        // The model trains a document this large after a pause (DocumentActivity.TrainingDelay): wait until it answers at
        // the first target, so every measured request meets the trained model however fast the server answers.
        var first = targets[0];
        var firstCharacter = lines[first].IndexOf("compute(", StringComparison.Ordinal) + "compute(".Length;
        var trained = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var (probe, _, _) = await client.RequestTracedAsync(
                id += 2, "textDocument/inlineCompletion", new { textDocument = new { uri = Uri }, position = new { line = first, character = firstCharacter }, context = new { triggerKind = 1 } });
            if (probe.GetProperty("result").GetProperty("items").GetArrayLength() > 0)
            {
                break;
            }

            if (trained.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException("completion: the offline model gave no suggestion within 60 s of opening the document.");
            }

            await Task.Delay(50);
        }

        var server = new List<double>();
        var completion = new List<double>();
        var served = 0;
        for (var round = 0; round < 2_200; round++)
        {
            var line = targets[(round * 7919) % targets.Length];
            var character = lines[line].IndexOf("compute(", StringComparison.Ordinal) + "compute(".Length;

            var (response, serverMs, ms) = await client.RequestTracedAsync(id += 2, "textDocument/inlineCompletion", new { textDocument = new { uri = Uri }, position = new { line, character }, context = new { triggerKind = 1 } });
            if (round >= 200)
            {
                // The first 200 rounds warm the JIT and the model's caches.
                server.Add(serverMs);
                completion.Add(ms);
                served += response.GetProperty("result").GetProperty("items").GetArrayLength();
            }
        }

        server.Sort();
        completion.Sort();
        report(string.Create(CultureInfo.InvariantCulture, $"completion: {completion.Count} invoked inline completions on a 5,000-line document, {served} with a suggestion"));
        report(string.Create(CultureInfo.InvariantCulture, $"completion: server-side p50 {P(server, 50):F2} ms, p99 {P(server, 99):F2} ms, max {server[^1]:F2} ms (targets p50 <= 1 ms, p99 <= 5 ms)"));
        report(string.Create(CultureInfo.InvariantCulture, $"completion: client round trip over stdio p50 {P(completion, 50):F2} ms, p99 {P(completion, 99):F2} ms"));
    }

    private static double P(List<double> sorted, int percentile) => LspProcessClient.Percentile(sorted, percentile);

    private static string Python5000Lines()
    {
        var builder = new StringBuilder();
        var random = new Random(42);
        for (var function = 0; builder.Length == 0 || CountLines(builder) < 5_000; function++)
        {
            builder.Append(CultureInfo.InvariantCulture, $"def handler_{function}(request, limit={random.Next(100)}):\n");
            builder.Append(CultureInfo.InvariantCulture, $"    value_{function} = compute(request.items, limit, scale={random.Next(10)})\n");
            builder.Append("    if value_").Append(function).Append(" is None:\n        return []\n");
            builder.Append(CultureInfo.InvariantCulture, $"    return [item.name for item in value_{function}]\n\n");
        }

        return builder.ToString();
    }

    private static int CountLines(StringBuilder builder)
    {
        var count = 0;
        foreach (var chunk in builder.GetChunks())
        {
            count += chunk.Span.Count('\n');
        }

        return count;
    }
}
