using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>A query answered before every model did (FirstToAnswer): recorded with all generations, feedback kept in order.</summary>
public sealed class CompletionTrackerLateGenerationTests
{
    private const string Uri = "file:///work/proj/a.py";

    [Fact]
    public async Task CompleteQueryLater_ShownBeforeTheLateModel_QueryHasBothGenerationsAndIsSpooledBeforeTheShownEvent()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Tracker.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        var all = new TaskCompletionSource<IReadOnlyList<GenerationResult>>(TaskCreationOptions.RunContinuationsAsynchronously);

        h.Tracker.AnswerQuery(start, [new GenerationResult("fast", "1", 5, 0.5, [])]);
        h.Tracker.CompleteQueryLater(start, new CompletionContextText("x = ", "", null), all.Task);
        h.At(0.5);
        Assert.True(h.Tracker.Shown(start.QueryId, "fast"));
        Assert.False(h.Tracker.Shown(start.QueryId, "slow"));                // not answered yet: unknown model
        Assert.Empty(h.Sink.Events);                                        // held until the query is recorded

        h.At(1);
        all.SetResult([new GenerationResult("fast", "1", 5, 0.5, []), new GenerationResult("slow", "2", 900, 0.9, [-0.1])]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await h.Tracker.WhenRecordedAsync(timeout.Token);

        var events = h.Sink.Events;
        var query = Assert.IsType<CompletionQueryEvent>(events[0]);
        Assert.Equal(["fast", "slow"], query.Generations.Select(g => g.Model));
        Assert.Equal(1000, query.TotalServingTimeMs);                       // the request arrived at 0 s, every model had answered at 1 s
        var shown = Assert.IsType<ShownEvent>(Assert.Single(events.Skip(1)));
        Assert.Equal(("fast", TelemetryHarness.Epoch.AddSeconds(0.5)), (shown.Model, shown.OccurredAt));
        Assert.True(h.Tracker.Shown(start.QueryId, "slow"));                // recorded: every model's generation is known now
        Assert.IsType<ShownEvent>(h.Sink.Events[^1]);
    }

    [Fact]
    public void CompleteQuery_WithOtherFiles_CarriesTheirMultiFileContext()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Tracker.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);

        var query = h.Tracker.CompleteQuery(
            start, new CompletionContextText("x = ", "", null), [new GenerationResult("m", "1", 5, 0.5, [])],
            [new ContextSnippet("/work/proj/b.py", "python", "y = 2") { Source = Rope.FromString("y = 2") }]);

        Assert.Equal("y = 2", query!.MultiFile!.Baselines["b.py"]);
        Assert.Equal([$"{h.Session.SessionId}:1"], query.MultiFile.Indexes["b.py"]!);
    }
}
