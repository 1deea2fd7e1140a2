using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>The editor's reports on the one query registry: what <c>code4me/queryState</c> reads, and what is refused.</summary>
public sealed class QueryFeedbackTests
{
    private const string Uri = "file:///work/proj/a.py";

    [Fact]
    public void State_BeforeTheAnswer_IsUnknown_AfterIt_CountsEveryReport()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        Assert.Null(h.Feedback.State(start.QueryId));
        Assert.False(h.Feedback.Shown(start.QueryId, "m1"));   // not answered yet: nothing counts

        h.Recorder.AnswerQuery(start, [TelemetryHarness.Generation("m1", "1 + 2", 5, 0.5, []), TelemetryHarness.Generation("m2", "", 9, 0, [])], fromCache: true);
        Assert.True(h.Feedback.Shown(start.QueryId, "m1"));
        Assert.True(h.Feedback.Shown(start.QueryId, "m1"));
        Assert.True(h.Feedback.PartiallyAccepted(start.QueryId, "m1", 3));
        Assert.True(h.Feedback.PartiallyAccepted(start.QueryId, "m1", 2));
        Assert.True(h.Feedback.Rejected(start.QueryId, "m2"));

        var state = h.Feedback.State(start.QueryId)!;
        Assert.Equal((2, (string?)null, 3, true, true), (state.ShownCount, state.AcceptedModel, state.PartiallyAcceptedLength, state.Rejected, state.FromCache));
        Assert.Equal(["m1", "m2"], state.Models);

        Assert.True(h.Feedback.Accepted(start.QueryId, "m1"));
        Assert.Equal("m1", h.Feedback.State(start.QueryId)!.AcceptedModel);
    }

    [Fact]
    public void Reports_ForAModelThatDidNotAnswerOrAnUnknownQuery_AreIgnored_ANegativeLengthIsInvalidInput()
    {
        using var h = new TelemetryHarness();
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        h.Recorder.AnswerQuery(start, [TelemetryHarness.Generation("m1", "1", 5, 0.5, [])]);

        Assert.False(h.Feedback.Accepted(start.QueryId, "m9"));
        Assert.False(h.Feedback.Shown(Guid.Empty, "m1"));
        Assert.Throws<InvalidInputException>(() => h.Feedback.PartiallyAccepted(start.QueryId, "m1", -1));
        var state = h.Feedback.State(start.QueryId)!;
        Assert.Equal((0, (string?)null, 0, false, false), (state.ShownCount, state.AcceptedModel, state.PartiallyAcceptedLength, state.Rejected, state.FromCache));
    }
}
