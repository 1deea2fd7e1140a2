using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;

namespace Code4me.Lsp.Tests.Completion;

public class OfflineCodeModelTests
{
    private const string Library = """
        import json

        def load_config(path):
            with open(path) as handle:
                return json.load(handle)

        def save_config(path, data):
            with open(path, "w") as handle:
                json.dump(data, handle)
        """;

    [Theory]
    [InlineData("def load_config(", "path")]
    [InlineData("with open(path", ")")]
    [InlineData("never seen context", "json")]
    [InlineData("", "import")]
    public void Probabilities_OverVocabularyAndUnknown_SumToOne(string history, string token)
    {
        var model = new OfflineCodeModel(new OfflineModelOptions());
        model.Observe("file:///lib.py", "python", Library);

        var (p, total) = model.ProbabilityAndTotal("python", history, token);

        Assert.InRange(total, 1 - 1e-9, 1 + 1e-9);
        Assert.InRange(p, double.Epsilon, 1);
    }

    [Fact]
    public void Generate_PatternLearnedInOneFile_IsSuggestedInAnother()
    {
        var model = new OfflineCodeModel(new OfflineModelOptions());
        model.Observe("file:///lib.py", "python", Library);

        var result = model.Generate("python", "import json\n\ndef read(p):\n    with open(p) as handle:\n        return json.", multiLine: false);

        Assert.Equal("load(handle)", result.Text);
        Assert.Equal(4, result.Logprobs.Count);
        Assert.All(result.Logprobs, lp => Assert.InRange(lp, Math.Log(0.1), 0));
    }

    [Fact]
    public void Generate_CaretInsideAWord_CompletesTheWord()
    {
        var model = new OfflineCodeModel(new OfflineModelOptions());
        model.Observe("file:///lib.py", "python", Library);

        var result = model.Generate("python", "def f(path):\n    with open(path) as handle:\n        return json.lo", multiLine: false);

        Assert.Equal("ad(handle)", result.Text);
    }

    [Fact]
    public void Generate_AfterBlockOpenerInMultiLineMode_ReturnsTheIndentedBlock()
    {
        var model = new OfflineCodeModel(new OfflineModelOptions());
        model.Observe("file:///shop.py", "python", "def total(items):\n    total = 0\n    for item in items:\n        total += item.price\n    return total\n");

        var result = model.Generate("python", "def cost(items):\n    total = 0\n    for item in items:", multiLine: true);

        Assert.Equal("\n        total += item.price", result.Text);
    }

    [Fact]
    public void Generate_OtherLanguage_LearnsNothingFromPython()
    {
        var model = new OfflineCodeModel(new OfflineModelOptions());
        model.Observe("file:///lib.py", "python", Library);

        Assert.Equal("", model.Generate("csharp", "return json.", multiLine: false).Text);
    }

    [Fact]
    public void Observe_RandomEdits_MatchesCountingTheFinalTextFromScratch()
    {
        var random = new Random(1234);
        string[] pieces = ["x", " ", "\n", "\n    ", "foo", "(", ")", "==", "=", ":", "12", ".", "\"s\"", "return ", "+"];
        var incremental = new OfflineCodeModel(new OfflineModelOptions { Order = 4 });
        var text = Library;
        incremental.Observe("doc", "python", text);
        var versions = new List<string> { text };
        for (var edit = 0; edit < 300; edit++)
        {
            var at = random.Next(text.Length + 1);
            var remove = Math.Min(random.Next(4), text.Length - at);
            var insert = random.Next(3) == 0 ? "" : pieces[random.Next(pieces.Length)];
            text = text[..at] + insert + text[(at + remove)..];
            versions.Add(text);
            incremental.Observe("doc", "python", text);
        }

        // Same vocabulary, counts of the final text only.
        var scratch = new OfflineCodeModel(new OfflineModelOptions { Order = 4 });
        foreach (var version in versions)
        {
            scratch.Observe("vocabulary", "python", version);
        }

        scratch.Observe("vocabulary", "python", "");
        scratch.Observe("doc", "python", text);

        Assert.Equal(scratch.GetMemory().Entries, incremental.GetMemory().Entries);
        var tokens = CodeTokenizer.Split(text);
        for (var i = 0; i < tokens.Count; i += 7)
        {
            var history = string.Concat(tokens.Take(i));
            Assert.Equal(scratch.ProbabilityAndTotal("python", history, tokens[i]).Token, incremental.ProbabilityAndTotal("python", history, tokens[i]).Token, 12);
        }
    }

    [Fact]
    public void Observe_SameTextAfterClose_IsNotCountedTwice()
    {
        var model = new OfflineCodeModel(new OfflineModelOptions());
        model.Observe("doc", "python", Library);
        var entries = model.GetMemory().Entries;
        var (p, _) = model.ProbabilityAndTotal("python", "def load_config(", "path");

        model.Close("doc");
        model.Observe("doc", "python", Library);

        Assert.Equal(entries, model.GetMemory().Entries);
        Assert.Equal(p, model.ProbabilityAndTotal("python", "def load_config(", "path").Token, 12);
    }

    [Fact]
    public void Observe_BeyondTheEntryCap_PrunesBelowTheCap()
    {
        var model = new OfflineCodeModel(new OfflineModelOptions { MaxEntries = 5000 });
        var random = new Random(7);
        for (var file = 0; file < 20; file++)
        {
            var lines = Enumerable.Range(0, 100).Select(_ => $"v{random.Next(100000)} = f{random.Next(1000)}(a{random.Next(1000)})");
            model.ObserveUntracked($"file:///f{file}.py", "python", string.Join('\n', lines));
        }

        var memory = model.GetMemory();
        Assert.InRange(memory.Entries, 1, 5000);
        Assert.True(memory.Prunings > 0);
        Assert.True(memory.ApproximateBytes > 0);
    }
}
