using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>A query answered before every model did (FirstToAnswer): recorded with all generations, feedback kept in order.</summary>
public sealed class QueryRecorderLateGenerationTests
{
    private const string Uri = "file:///work/proj/a.py";

    [Fact]
    public async Task CompleteQueryLater_ShownBeforeTheLateModel_QueryHasBothGenerationsAndIsSpooledBeforeTheShownEvent()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        var all = new TaskCompletionSource<IReadOnlyList<ModelGeneration>>(TaskCreationOptions.RunContinuationsAsynchronously);

        h.Recorder.AnswerQuery(start, [TelemetryHarness.Generation("fast", "1", 5, 0.5, [])]);
        h.Recorder.CompleteQueryLater(start, new CompletionContextText("x = ", "", null), all.Task);
        h.At(0.5);
        Assert.True(h.Feedback.Shown(start.QueryId, "fast"));
        Assert.False(h.Feedback.Shown(start.QueryId, "slow"));                // not answered yet: unknown model
        Assert.Empty(h.Sink.Events);                                        // held until the query is recorded

        h.At(1);
        all.SetResult([TelemetryHarness.Generation("fast", "1", 5, 0.5, []), TelemetryHarness.Generation("slow", "2", 900, 0.9, [-0.1])]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await h.Recorder.WhenRecordedAsync(timeout.Token);

        var events = h.Sink.Events;
        var query = Assert.IsType<CompletionQueryEvent>(events[0]);
        Assert.Equal(["fast", "slow"], query.Generations.Select(g => g.Model));
        Assert.Equal(1000, query.TotalServingTimeMs);                       // the request arrived at 0 s, every model had answered at 1 s
        var shown = Assert.IsType<ShownEvent>(Assert.Single(events.Skip(1)));
        Assert.Equal(("fast", TelemetryHarness.Epoch.AddSeconds(0.5)), (shown.Model, shown.OccurredAt));
        Assert.True(h.Feedback.Shown(start.QueryId, "slow"));                // recorded: every model's generation is known now
        Assert.IsType<ShownEvent>(h.Sink.Events[^1]);
    }

    [Fact]
    public void CompleteQuery_WithOtherFiles_CarriesTheirMultiFileContext()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);

        var query = h.Recorder.CompleteQuery(
            start, new CompletionContextText("x = ", "", null), [TelemetryHarness.Generation("m", "1", 5, 0.5, [])],
            [new ContextSnippet("/work/proj/b.py", "python", "y = 2") { Source = Rope.FromString("y = 2") }]);

        Assert.Equal("y = 2", query!.MultiFile!.Baselines["b.py"]);
        Assert.Equal([$"{h.Session.SessionId}:1"], query.MultiFile.Indexes["b.py"]!);
    }
}
