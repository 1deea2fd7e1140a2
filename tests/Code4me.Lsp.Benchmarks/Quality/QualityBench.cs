using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;

namespace Code4me.Lsp.Benchmarks.Quality;

/// <summary>
/// The <c>quality</c> benchmark: the offline model (in process, with the server's options and post-processing) on held-out
/// files of real code shipped by Debian packages, against line retrieval and against offering nothing. Each "repository" is a
/// directory; a fixed seed holds out some of its files and trains a fresh model on the rest, as the workspace indexer would.
/// Each held-out file is then written top to bottom: at each sampled caret the document holds the file up to the caret, and
/// the truth is the rest of the caret's line.
/// </summary>
internal static class QualityBench
{
    private static readonly Repository[] s_repositories =
    [
        new("python/asyncio", "python", "libpython3.11-stdlib", "/usr/lib/python3.11/asyncio", ".py"),
        new("python/email", "python", "libpython3.11-stdlib", "/usr/lib/python3.11/email", ".py"),
        new("javascript/npm", "javascript", "nodejs", "/usr/lib/node_modules/npm/lib", ".js"),
        new("lua/nvim", "lua", "neovim-runtime", "/usr/share/nvim/runtime/lua", ".lua"),
        new("lua/luajit", "lua", "libluajit-5.1-common", "/usr/share/luajit-2.1.0-beta3", ".lua"),
        new("c/cpython-headers", "c", "libpython3.11-dev", "/usr/include/python3.11", ".h"),
    ];

    public static async Task<int> RunAsync(int positions, int seed, double? minConfidence, Action<string> report)
    {
        var missing = s_repositories.Where(r => !Directory.Exists(r.Root)).ToArray();
        if (missing.Length > 0)
        {
            report($"quality: missing {string.Join(", ", missing.Select(r => r.Root))}; install: apt-get install {string.Join(' ', missing.Select(r => r.Package).Distinct())}");
            return 2;
        }

        var options = new OfflineModelOptions();
        if (minConfidence is { } threshold)
        {
            options.MinConfidence = threshold;
        }

        var perRepository = Math.Max(3, positions / s_repositories.Length);
        var results = new List<Result>();
        var latencies = new List<double>();
        var listing = new StringBuilder();
        foreach (var repository in s_repositories)
        {
            var files = Directory.EnumerateFiles(repository.Root, "*" + repository.Extension, SearchOption.AllDirectories)
                .Where(f => new FileInfo(f).Length <= options.MaxFileBytes)
                .Order(StringComparer.Ordinal)
                .ToArray();
            var texts = files.Select(f => File.ReadAllText(f).Replace("\r\n", "\n", StringComparison.Ordinal)).ToArray();
            for (var i = 0; i < files.Length; i++)
            {
                listing.Append(files[i]).Append(' ').Append(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(texts[i])))).Append('\n');
            }

            var random = new Random(seed);
            var order = Enumerable.Range(0, files.Length).OrderBy(_ => random.Next()).ToArray();
            var heldOut = order.Take(Math.Max(2, files.Length / 10)).ToHashSet();
            var model = new OfflineCodeModel(options);
            var workspace = new List<string>();
            for (var i = 0; i < files.Length; i++)
            {
                if (!heldOut.Contains(i))
                {
                    model.ObserveUntracked(files[i], repository.Language, texts[i]);
                    workspace.Add(texts[i]);
                }
            }

            var retrieval = new LineRetrieval(workspace);
            var offline = new OfflineCompletionModel("offline", model);
            var carets = SampleCarets(heldOut.Select(i => (files[i], texts[i])).ToArray(), perRepository, random);
            foreach (var file in carets.GroupBy(c => c.File))
            {
                foreach (var caret in file.OrderBy(c => c.Offset))
                {
                    var prefix = caret.Text[..caret.Offset];
                    var lineEnd = caret.Text.IndexOf('\n', caret.Offset);
                    var truth = caret.Text[caret.Offset..(lineEnd < 0 ? caret.Text.Length : lineEnd)];
                    model.Observe(caret.File, repository.Language, prefix);
                    var suggestion = ShownSuggestion.Of(offline, caret.File, repository.Language, prefix);

                    // Timed on a second call: the same work with the code compiled by the tiered JIT, as in a server that has run for a while.
                    var started = Stopwatch.GetTimestamp();
                    _ = ShownSuggestion.Of(offline, caret.File, repository.Language, prefix);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    results.Add(new Result(repository.Language, caret.Kind, QualityScore.Of(suggestion, truth), QualityScore.Of(retrieval.Suggest(prefix), truth), QualityScore.Of("", truth)));
                }

                // Held out means held out: what the file taught the model goes before the next one.
                model.Observe(file.Key, repository.Language, "");
                model.Close(file.Key);
            }
        }

        report($"quality: {results.Count} carets, seed {seed}, MinConfidence {options.MinConfidence.ToString(CultureInfo.InvariantCulture)}, files sha256 {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())))[..16]}");
        var versions = new List<string>();
        foreach (var package in s_repositories.Select(r => r.Package).Distinct())
        {
            versions.Add($"{package} {await PackageVersionAsync(package)}");
        }

        report($"quality: sources {string.Join(", ", versions)}");
        report("quality: first line of the suggestion vs the rest of the caret's line");
        report($"  {"system",-18}{"positions",-22}{"n",6}{"exact",8}{"edit-sim",10}{"accepted",10}{"offered",9}{"precision",11}");
        foreach (var (name, pick) in new (string, Func<Result, QualityScore>)[] { ("offline model", r => r.Model), ("line retrieval", r => r.Retrieval), ("nothing", r => r.Nothing) })
        {
            Row(report, name, "all", results, pick);
        }

        foreach (var group in results.GroupBy(r => r.Language).Concat(results.GroupBy(r => r.Kind)))
        {
            Row(report, "offline model", group.Key, [.. group], r => r.Model);
            Row(report, "line retrieval", group.Key, [.. group], r => r.Retrieval);
        }

        double Mean(Func<Result, double> f) => results.Average(f);
        report(string.Create(
            CultureInfo.InvariantCulture,
            $"quality: offline model / line retrieval: exact {Mean(r => r.Model.Exact ? 1 : 0) / Mean(r => r.Retrieval.Exact ? 1 : 0):F3} x, edit similarity {Mean(r => r.Model.EditSimilarity) / Mean(r => r.Retrieval.EditSimilarity):F3} x; precision of what the model shows {results.Where(r => r.Model.Offered).Average(r => r.Model.FirstCharsRight ? 1.0 : 0.0):P1}"));
        latencies.Sort();
        report(string.Create(CultureInfo.InvariantCulture, $"quality: offline model latency in process (generate + post-process, each caret's second call; the document observed before): p50 {Percentile(latencies, 0.50):F3} ms, p99 {Percentile(latencies, 0.99):F3} ms, max {latencies[^1]:F3} ms"));
        return 0;
    }

    private static void Row(Action<string> report, string name, string positions, List<Result> results, Func<Result, QualityScore> pick)
    {
        var scores = results.Select(pick).ToArray();
        var offered = scores.Where(s => s.Offered).ToArray();
        report(string.Create(
            CultureInfo.InvariantCulture,
            $"  {name,-18}{positions,-22}{scores.Length,6}{scores.Average(s => s.Exact ? 1.0 : 0.0),8:F3}{scores.Average(s => s.EditSimilarity),10:F3}{scores.Average(s => s.AcceptedChars),10:F2}{(double)offered.Length / scores.Length,9:P0}{(offered.Length == 0 ? "-" : offered.Average(s => s.FirstCharsRight ? 1.0 : 0.0).ToString("P0", CultureInfo.InvariantCulture)),11}"));
    }

    // Carets where people pause, in equal shares: inside a word, right after a word, and at the start of a line (after its
    // indentation). Only carets with something left on the line.
    private static List<Caret> SampleCarets((string File, string Text)[] files, int count, Random random)
    {
        var candidates = new Dictionary<string, List<Caret>> { ["mid-word"] = [], ["end-of-word"] = [], ["line-start"] = [] };
        foreach (var (file, text) in files)
        {
            for (var i = 1; i < text.Length; i++)
            {
                if (text[i] is '\n' or ' ' or '\t')
                {
                    continue;
                }

                var word = CodeTokenizer.IsIdentifierPart(text[i - 1]);
                if (word && CodeTokenizer.IsIdentifierPart(text[i]))
                {
                    candidates["mid-word"].Add(new Caret(file, text, i, "mid-word"));
                }
                else if (word)
                {
                    candidates["end-of-word"].Add(new Caret(file, text, i, "end-of-word"));
                }
                else if (text.AsSpan(text.LastIndexOf('\n', i - 1) + 1, i - text.LastIndexOf('\n', i - 1) - 1).IsWhiteSpace())
                {
                    candidates["line-start"].Add(new Caret(file, text, i, "line-start"));
                }
            }
        }

        var carets = new List<Caret>();
        foreach (var (_, list) in candidates)
        {
            for (var n = 0; n < count / 3 && list.Count > 0; n++)
            {
                var at = random.Next(list.Count);
                carets.Add(list[at]);
                list.RemoveAt(at);
            }
        }

        return carets;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static async Task<string> PackageVersionAsync(string package)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dpkg-query", ["-W", "-f", "${Version}", package]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var version = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return version.Length > 0 ? version : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    private sealed record Repository(string Name, string Language, string Package, string Root, string Extension);

    private sealed record Caret(string File, string Text, int Offset, string Kind);

    private sealed record Result(string Language, string Kind, QualityScore Model, QualityScore Retrieval, QualityScore Nothing);
}
