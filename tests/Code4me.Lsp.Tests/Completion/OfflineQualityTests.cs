using System.Text;
using Code4me.Lsp.Benchmarks.Quality;
using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;

namespace Code4me.Lsp.Tests.Completion;

/// <summary>
/// The offline model's quality on a small generated code base (the <c>quality</c> benchmark measures real code), and the
/// failure patterns of issue #13: silence mid-word, loops.
/// </summary>
public class OfflineQualityTests
{
    private const string Language = "python";

    [Fact]
    public void Generate_HeldOutFilesOfAGeneratedCodeBase_BeatsLineRetrievalOnExactMatchAndEditSimilarity()
    {
        var files = Enumerable.Range(0, 10).Select(GeneratedModule).ToArray();
        var model = new OfflineCodeModel(new OfflineModelOptions());
        for (var i = 2; i < files.Length; i++)
        {
            model.ObserveUntracked($"file:///lib/m{i}.py", Language, files[i]);
        }

        var retrieval = new LineRetrieval(files[2..]);
        var offline = new OfflineCompletionModel("offline", model);
        var ours = new List<QualityScore>();
        var baseline = new List<QualityScore>();
        for (var i = 0; i < 2; i++)
        {
            var key = $"file:///app/m{i}.py";
            foreach (var caret in Carets(files[i]))
            {
                var prefix = files[i][..caret];
                var lineEnd = files[i].IndexOf('\n', caret);
                var truth = files[i][caret..lineEnd];
                model.Observe(key, Language, prefix);
                ours.Add(QualityScore.Of(ShownSuggestion.Of(offline, key, Language, prefix), truth));
                baseline.Add(QualityScore.Of(retrieval.Suggest(prefix), truth));
            }
        }

        Assert.True(ours.Count >= 100, $"{ours.Count} carets");
        Assert.True(Exact(ours) > Exact(baseline), $"exact match: model {Exact(ours):F3}, retrieval {Exact(baseline):F3}");
        Assert.True(Similarity(ours) > Similarity(baseline), $"edit similarity: model {Similarity(ours):F3}, retrieval {Similarity(baseline):F3}");
    }

    [Fact]
    public void Generate_UnfinishedWordOfTheOpenDocument_IsCompletedFromTheIdentifiersAbove()
    {
        var model = new OfflineCodeModel(new OfflineModelOptions());
        model.ObserveUntracked("file:///lib/a.py", Language, GeneratedModule(3));
        const string Text = "class Waiter:\n    def __init__(self, callback):\n        self._callback = callback\n\n    def wait(self, fut):\n        fut.add_done_callback(self._cal";
        model.Observe("file:///app/w.py", Language, Text);

        var result = model.Generate("file:///app/w.py", Language, Text, multiLine: false);

        Assert.StartsWith("lback", result.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    return json.dumps(obj, indent=None, separators=None", false, "")]
    [InlineData("def validate(value):\n    if not value:\n        ", true, "raise ValueError('a value is required')")]
    public void Generate_TrainedOnRepetitiveCode_NeverRepeatsALineOrAPhraseBackToBack(string prefix, bool multiLine, string expectedStart)
    {
        var model = new OfflineCodeModel(new OfflineModelOptions { MinConfidence = 0 });
        var looping = new StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            looping.Append("def encode(obj):\n    return json.dumps(obj, indent=None, separators=None, separators=None, separators=None, separators=None)\n\n");
            looping.Append("def check(value):\n    if not value:\n" + string.Concat(Enumerable.Repeat("        raise ValueError('a value is required')\n", 4)) + "\n");
        }

        model.ObserveUntracked("file:///lib/loop.py", Language, looping.ToString());
        model.Observe("file:///app/x.py", Language, prefix);

        var suggestion = model.Generate("file:///app/x.py", Language, prefix, multiLine).Text;

        Assert.StartsWith(expectedStart, suggestion, StringComparison.Ordinal);
        var all = (prefix + suggestion).Split('\n');
        for (var l = prefix.Split('\n').Length; l < all.Length; l++)
        {
            Assert.False(all[l].Trim().Length > 0 && all[l].Trim() == all[l - 1].Trim(), $"line {all[l].Trim()} repeated in: {suggestion}");
        }

        var prefixTokens = CodeTokenizer.Split(prefix);
        var tokens = prefixTokens.Concat(CodeTokenizer.Split(suggestion)).ToArray();
        for (var end = prefixTokens.Count + 1; end <= tokens.Length; end++)
        {
            for (var k = 3; k <= end - prefixTokens.Count && 2 * k <= end; k++)
            {
                var second = tokens.AsSpan((end - k)..end);
                var repeated = second.SequenceEqual(tokens.AsSpan((end - (2 * k))..(end - k))) && second.ToArray().Any(t => CodeTokenizer.IsIdentifierStart(t[0]) || CodeTokenizer.IsNewline(t));
                Assert.False(repeated, $"'{string.Concat(second.ToArray())}' repeated in: {suggestion}");
            }
        }
    }

    private static double Exact(List<QualityScore> scores) => scores.Average(s => s.Exact ? 1.0 : 0.0);

    private static double Similarity(List<QualityScore> scores) => scores.Average(s => s.EditSimilarity);

    // Every third caret where people pause, with something left on the line: inside a word, after a word, at a line's start.
    private static IEnumerable<int> Carets(string text)
    {
        var n = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] is '\n' or ' ')
            {
                continue;
            }

            var afterWord = CodeTokenizer.IsIdentifierPart(text[i - 1]);
            var lineStart = text.LastIndexOf('\n', i - 1) + 1;
            var atLineStart = text.AsSpan(lineStart, i - lineStart).IsWhiteSpace();
            if ((afterWord || atLineStart) && n++ % 3 == 0)
            {
                yield return i;
            }
        }
    }

    // A module of a small code base: the same shape in every file, names of its own (fixed seed).
    private static string GeneratedModule(int index)
    {
        string[] nouns = ["order", "invoice", "customer", "payment", "shipment", "account", "ticket", "report", "session", "device", "folder", "message"];
        var random = new Random(1000 + index);
        var name = nouns[index % nouns.Length];
        var first = nouns[random.Next(nouns.Length)] + "_id";
        var second = nouns[random.Next(nouns.Length)] + "_name";
        var title = char.ToUpperInvariant(name[0]) + name[1..];
        return $$""""
            import logging

            from .base import BaseHandler


            logger = logging.getLogger(__name__)


            class {{title}}Handler(BaseHandler):
                """Handles {{name}} requests."""

                def __init__(self, {{first}}, {{second}}, loop=None):
                    super().__init__(loop=loop)
                    self._{{first}} = {{first}}
                    self._{{second}} = {{second}}
                    self._callbacks = []

                def add_done_callback(self, callback):
                    self._callbacks.append(callback)

                def get_{{first}}(self):
                    return self._{{first}}

                def set_{{first}}(self, value):
                    self._{{first}} = value
                    self._notify('{{first}}')

                def get_{{second}}(self):
                    return self._{{second}}

                def set_{{second}}(self, value):
                    self._{{second}} = value
                    self._notify('{{second}}')

                def _notify(self, field):
                    logger.debug('%s changed on %r', field, self)
                    for callback in self._callbacks:
                        callback(self, field)

                def __repr__(self):
                    return f'<{{title}}Handler {{first}}={self._{{first}}!r}>'

            """";
    }
}
