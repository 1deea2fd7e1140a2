using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Completion.Offline;
using Microsoft.Extensions.Logging.Abstractions;

namespace Code4me.Lsp.Tests.Completion;

public class CompletionServiceTests
{
    private static CompletionContext At(string prefix, CompletionTriggerKind trigger = CompletionTriggerKind.Automatic)
        => new() { DocumentKey = "file:///b.py", Prefix = prefix, Suffix = "\n", LanguageId = "python", TriggerKind = trigger, UserId = "u" };

    private static CompletionService Service(CompletionOptions options, params ICompletionModel[] models)
        => new(models, new TestOptions(options), new TypedAheadCache(), NullLogger<CompletionService>.Instance);

    [Fact]
    public async Task CompleteAsync_OfflineModel_SuggestsWhatAnotherFileTaught()
    {
        var offline = new OfflineCodeModel(new OfflineModelOptions());
        offline.Observe("file:///a.py", "python", "def f(p):\n    with open(p) as handle:\n        return json.load(handle)\n");
        var service = Service(new CompletionOptions(), new OfflineCompletionModel("ngram", offline));

        var outcome = await service.CompleteAsync(At("def g(q):\n    with open(q) as handle:\n        return json."), CancellationToken.None);

        Assert.Equal("load(handle)", outcome.Chosen!.Completion);
        Assert.Equal("ngram", outcome.Chosen.ModelName);
        Assert.InRange(outcome.Chosen.Confidence, 0.1, 1);
        Assert.Equal(4, outcome.Chosen.Logprobs.Count);
        Assert.Equal(7, outcome.QueryId.Version);
    }

    [Fact]
    public async Task CompleteAsync_FirstToAnswer_ReturnsEarlyAndRecordsTheLateAnswer()
    {
        var slow = new ScriptedModel("slow");
        var service = Service(new CompletionOptions { Policy = SelectionPolicy.FirstToAnswer, DeadlineMs = 60_000 }, new ScriptedModel("fast", "x + 1"), slow);

        var outcome = await service.CompleteAsync(At("y = "), CancellationToken.None);
        slow.Answer(new RawGeneration("y + 2", [-0.1]));
        var all = await outcome.AllGenerations;

        Assert.Equal("fast", outcome.Chosen!.ModelName);
        Assert.Equal(["fast"], outcome.Generations.Select(g => g.ModelName));
        Assert.Equal(["fast", "slow"], all.Select(g => g.ModelName));
        Assert.True(all[1].Late);
        Assert.Equal("y + 2", all[1].Completion);
    }

    [Fact]
    public async Task CompleteAsync_HighestConfidence_WaitsForAllAndRecordsFailures()
    {
        var service = Service(
            new CompletionOptions { Policy = SelectionPolicy.HighestConfidence },
            new ScriptedModel("low", "a", -2.0),
            new ScriptedModel("high", "b", -0.1),
            new ThrowingModel("broken"));

        var outcome = await service.CompleteAsync(At("y = "), CancellationToken.None);

        Assert.Equal("high", outcome.Chosen!.ModelName);
        Assert.Equal(3, outcome.Generations.Count);
        Assert.StartsWith("InvalidOperationException", outcome.Generations.Single(g => g.ModelName == "broken").Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_ModelPastTheDeadline_IsRecordedAsDeadlineExceeded()
    {
        var service = Service(new CompletionOptions { Policy = SelectionPolicy.HighestConfidence, DeadlineMs = 1000 }, new ScriptedModel("fast", "a"), new ScriptedModel("never"));

        var outcome = await service.CompleteAsync(At("y = "), CancellationToken.None);

        Assert.Equal("fast", outcome.Chosen!.ModelName);
        var never = (await outcome.AllGenerations).Single(g => g.ModelName == "never");
        Assert.Equal("deadline exceeded", never.Error);
    }

    [Fact]
    public async Task CompleteAsync_ManualOnlyAndAutomaticTrigger_CallsNoModel()
    {
        var model = new ScriptedModel("m", "a");
        var service = Service(new CompletionOptions { ManualOnly = true }, model);

        var automatic = await service.CompleteAsync(At("y = "), CancellationToken.None);
        var invoked = await service.CompleteAsync(At("y = ", CompletionTriggerKind.Invoked), CancellationToken.None);

        Assert.Null(automatic.Chosen);
        Assert.Equal("a", invoked.Chosen!.Completion);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task CompleteAsync_UserTypesTheSuggestion_ServedFromTheCache()
    {
        var model = new ScriptedModel("m", "load(handle)");
        var service = Service(new CompletionOptions(), model);

        var first = await service.CompleteAsync(At("return json."), CancellationToken.None);
        var second = await service.CompleteAsync(At("return json.lo"), CancellationToken.None);

        Assert.Equal("ad(handle)", second.Chosen!.Completion);
        Assert.Equal(first.QueryId, second.CachedFromQueryId);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task CompleteAsync_CallerCancels_ThrowsAndStopsTheModels()
    {
        var model = new ScriptedModel("never");
        var service = Service(new CompletionOptions { DeadlineMs = 600_000 }, model);
        using var cts = new CancellationTokenSource();

        var query = service.CompleteAsync(At("y = "), cts.Token);
        await model.Started;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => query);
        Assert.True(await model.Cancelled);
    }

    /// <summary>Answers at once with a fixed text, or waits for <see cref="Answer"/> (or cancellation).</summary>
    private sealed class ScriptedModel(string name, string? text = null, double logprob = -0.1) : ICompletionModel
    {
        private readonly TaskCompletionSource<RawGeneration> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public string Name => name;

        public int Calls => _calls;

        public Task Started => _started.Task;

        public Task<bool> Cancelled => _cancelled.Task;

        public void Answer(RawGeneration generation) => _answer.TrySetResult(generation);

        public async Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            _started.TrySetResult();
            if (text is not null)
            {
                return new RawGeneration(text, [logprob]);
            }

            try
            {
                return await _answer.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _cancelled.TrySetResult(true);
                throw;
            }
        }
    }

    private sealed class ThrowingModel(string name) : ICompletionModel
    {
        public string Name => name;

        public Task<RawGeneration> GenerateAsync(ModelRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
    }
}
