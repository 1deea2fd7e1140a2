using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>Queries followed through edits: the caret's anchor, the accepted region, and when a document was last edited.</summary>
public sealed class EditFollowerTests
{
    private const string Uri = "file:///work/proj/a.py";

    [Fact]
    public void Edits_BeforeAndInsideTheAcceptedRegion_MoveTheAnchorAndStretchTheRegion()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = \n");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        h.Recorder.AnswerQuery(start, [TelemetryHarness.Generation("m1", "1 + 2", 5, 0.5, [])]);
        h.Insert(Uri, 4, "1 + 2");
        Assert.True(h.Feedback.Accepted(start.QueryId, "m1"));
        Assert.Equal((4, (4, 9)), Followed(h, start.QueryId));

        h.Insert(Uri, 0, "# a\n");                         // a line above: everything moves by 4
        Assert.Equal((8, (8, 13)), Followed(h, start.QueryId));
        h.Insert(Uri, 10, "0");                             // inside the region ("1 0+ 2"): it stretches
        Assert.Equal((8, (8, 14)), Followed(h, start.QueryId));
        h.Replace(Uri, 0, 14, "");                          // everything up to the region's end deleted
        Assert.Equal((0, (0, 0)), Followed(h, start.QueryId));
    }

    [Fact]
    public void IsIdle_SinceOpenAndAfterAPause_NotRightAfterAnEdit()
    {
        using var h = new TelemetryHarness(new() { ["Code4me:Telemetry:IdleTriggerMs"] = "1000" });
        var follower = h.Edits;
        h.Documents.Open(Uri, "python", 1, "x");
        Assert.True(follower.IsIdle(Uri, h.Time.GetUtcNow(), 1000));
        h.Insert(Uri, 1, "y");
        Assert.False(follower.IsIdle(Uri, h.Time.GetUtcNow(), 1000));
        h.At(1);
        Assert.True(follower.IsIdle(Uri, h.Time.GetUtcNow(), 1000));
    }

    private static (int Anchor, (int, int)? Region) Followed(TelemetryHarness h, Guid queryId)
    {
        lock (h.Book.Gate)
        {
            Assert.True(h.Book.TryGet(queryId, out var query));
            return (query.Anchor, query.Region);
        }
    }
}
