using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>What is measured the moment a request arrives: the caret's project, the behaviour before it, fresh ids.</summary>
public sealed class QueryMeasurementTests
{
    [Theory]
    [InlineData("file:///work/proj/sub/a.py", "/work/proj")]     // the innermost folder that holds the file
    [InlineData("file:///work/other.py", "/work")]
    [InlineData("file:///work/proj", "/work/proj")]              // the folder itself
    [InlineData("file:///work/project2/b.py", "/work")]          // a sibling whose name starts like a folder's
    [InlineData("file:///elsewhere/c.py", null)]
    [InlineData("untitled:Untitled-1", null)]
    public void Measure_ProjectFolder_IsTheInnermostWorkspaceFolderHoldingTheFile(string uri, string? expected)
    {
        using var h = new TelemetryHarness();
        h.Editor.Initialize("Neovim", "0.11.0", ["/work", "/work/proj"], null, h.Time.GetUtcNow());
        h.Documents.Open(uri, "python", 1, "x = ");

        Assert.Equal(expected, h.Measurement.Measure(h.Documents.Get(uri), 4, CompletionTrigger.Manual).ProjectFolder);
    }

    [Fact]
    public void Measure_BehaviourBeforeTheRequest_AndThreeFreshTimeOrderedIds()
    {
        using var h = new TelemetryHarness();
        const string Uri = "file:///work/proj/a.py";
        h.Documents.Open(Uri, "python", 1, "x = ");
        h.Clock.MarkShown();
        h.At(1.5);
        h.Clock.MarkAccepted();
        h.At(2);

        var start = h.Measurement.Measure(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        var later = h.Measurement.Measure(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);

        Assert.Equal(TelemetryHarness.Epoch.AddSeconds(2), start.At);
        Assert.Equal((Uri, 4), (start.Uri, start.Offset));
        Assert.Equal(2000, start.Behavioral.TimeSinceLastShownMs);
        Assert.Equal(500, start.Behavioral.TimeSinceLastAcceptedMs);
        Assert.Equal(3, new[] { start.QueryId, start.Contextual.ContextualTelemetryId, start.Behavioral.BehavioralTelemetryId }.Distinct().Count());
        Assert.All(new[] { start.QueryId, later.QueryId }, id => Assert.Equal(7, id.Version));
        Assert.NotEqual(start.QueryId, later.QueryId);
    }
}
