using Code4me.Lsp.Core.Completion;

namespace Code4me.Lsp.Tests.Completion;

public class TypedAheadCacheTests
{
    private static CompletionContext At(string prefix, string suffix = "\n") => new() { DocumentKey = "file:///a.py", Prefix = prefix, Suffix = suffix, LanguageId = "python" };

    private static CompletionOutcome Showing(string completion) => new()
    {
        QueryId = Guid.CreateVersion7(),
        Generations = [],
        Chosen = new ModelGeneration { ModelName = "m", Completion = completion, Logprobs = [-0.1], Confidence = 0.9 },
        AllGenerations = Task.FromResult<IReadOnlyList<ModelGeneration>>([]),
    };

    [Theory]
    [InlineData("x = json.", "load(f)", "x = json.lo", "ad(f)")]
    [InlineData("x = json.", "load(f)", "x = json.load(", "f)")]
    public void TryServe_TypedTheStartOfTheShownCompletion_ServesTheRest(string shownAt, string completion, string typedPrefix, string rest)
    {
        var cache = new TypedAheadCache();
        var first = Showing(completion);
        cache.Remember(At(shownAt), first);

        Assert.True(cache.TryServe(At(typedPrefix), out var outcome));
        Assert.Equal(rest, outcome.Chosen!.Completion);
        Assert.Equal(first.QueryId, outcome.CachedFromQueryId);
        Assert.NotEqual(first.QueryId, outcome.QueryId);
    }

    [Theory]
    [InlineData("x = json.", "\n")]          // nothing typed yet: ask the models again
    [InlineData("x = json.lx", "\n")]        // typed something else
    [InlineData("x = json.load(f)", "\n")]   // typed all of it
    [InlineData("y = json.lo", "\n")]        // the text before changed
    [InlineData("x = json.lo", ")\n")]       // the text after changed
    public void TryServe_OtherwiseMisses(string prefix, string suffix)
    {
        var cache = new TypedAheadCache();
        cache.Remember(At("x = json."), Showing("load(f)"));

        Assert.False(cache.TryServe(At(prefix, suffix), out _));
    }

    [Fact]
    public void TryServe_AfterForget_Misses()
    {
        var cache = new TypedAheadCache();
        cache.Remember(At("x = json."), Showing("load(f)"));
        cache.Forget("file:///a.py");

        Assert.False(cache.TryServe(At("x = json.lo"), out _));
    }
}
