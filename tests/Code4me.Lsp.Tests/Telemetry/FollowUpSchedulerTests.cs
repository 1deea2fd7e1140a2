using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>The timers after a query: ground truth after the request, retention after the first acceptance, end of life.</summary>
public sealed class FollowUpSchedulerTests
{
    private const string Uri = "file:///work/proj/a.py";

    private static readonly Dictionary<string, string?> s_settings = new()
    {
        ["Code4me:Telemetry:GroundTruthDelaysSeconds:0"] = "5",
        ["Code4me:Telemetry:GroundTruthDelaysSeconds:1"] = "20",
        ["Code4me:Telemetry:RetentionDelaysSeconds:0"] = "10",
        ["Code4me:Telemetry:RetentionDelaysSeconds:1"] = "30",
        ["Code4me:Telemetry:QueryLifetimeSeconds"] = "25",
    };

    [Fact]
    public void GroundTruth_AtEachDelayAfterTheRequest_RetentionAtEachDelayAfterTheFirstAccept()
    {
        using var h = new TelemetryHarness(s_settings);
        h.Documents.Open(Uri, "python", 1, "x = \n");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        h.Recorder.CompleteQuery(start, new CompletionContextText("x = ", "\n", null), [TelemetryHarness.Generation("m1", "1 + 2", 5, 0.5, [])]);
        h.At(2);
        h.Insert(Uri, 4, "1 + 2");
        Assert.True(h.Feedback.Accepted(start.QueryId, "m1"));
        h.At(3);
        Assert.True(h.Feedback.Accepted(start.QueryId, "m1"));   // a second accept schedules nothing more
        h.At(40);

        Assert.Equal(
            [(5, TelemetryHarness.Epoch.AddSeconds(5)), (20, TelemetryHarness.Epoch.AddSeconds(20))],
            h.Sink.OfType<GroundTruthEvent>().Select(g => (g.AfterSeconds, g.TruthTimestamp)));
        Assert.Equal(
            [(10, TelemetryHarness.Epoch.AddSeconds(12), 5), (30, TelemetryHarness.Epoch.AddSeconds(32), 5)],
            h.Sink.OfType<RetentionEvent>().Select(r => (r.AfterSeconds, r.OccurredAt, r.RetainedChars)));
    }

    [Fact]
    public void EndOfLife_WaitsForPendingRetention_ThenTheQueryIsForgotten()
    {
        using var h = new TelemetryHarness(s_settings);
        h.Documents.Open(Uri, "python", 1, "x = \n");
        var accepted = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        h.Recorder.CompleteQuery(accepted, new CompletionContextText("x = ", "\n", null), [TelemetryHarness.Generation("m1", "1", 5, 0.5, [])]);
        var ignored = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        h.Recorder.CompleteQuery(ignored, new CompletionContextText("x = ", "\n", null), [TelemetryHarness.Generation("m1", "2", 5, 0.5, [])]);
        h.At(2);
        h.Insert(Uri, 4, "1");
        Assert.True(h.Feedback.Accepted(accepted.QueryId, "m1"));

        h.At(25);                                   // end of life: the ignored query goes, the accepted one waits
        Assert.Equal(1, h.Book.Count);
        Assert.True(IsFollowed(h, accepted.QueryId));
        Assert.False(h.Feedback.Shown(accepted.QueryId, "m1"));   // followed for retention, closed to the editor's reports
        h.At(31.75);
        Assert.True(IsFollowed(h, accepted.QueryId));
        h.At(32);                                   // its last retention check (2 s + 30 s)
        Assert.Equal(0, h.Book.Count);
        Assert.Equal(2, h.Sink.OfType<RetentionEvent>().Count);
    }

    private static bool IsFollowed(TelemetryHarness h, Guid queryId)
    {
        lock (h.Book.Gate)
        {
            return h.Book.TryGet(queryId, out _);
        }
    }
}
