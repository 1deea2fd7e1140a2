using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>Scripted editing sessions with a fake clock; every expected value is computed by hand in the comments.</summary>
public sealed class CompletionQueryTelemetryTests
{
    private const string Uri = "file:///work/proj/a.py";
    private static readonly Dictionary<string, string?> s_settings = new() { ["Code4me:Telemetry:GroundTruthContextChars"] = "10" };

    [Fact]
    public void ScriptedSession_AcceptedThenEdited_EveryFieldAsComputedByHand()
    {
        using var h = new TelemetryHarness(s_settings);
        // "def add(a, b):\n" is 15 units; line 1 is "    " at 15..19.
        h.Documents.Open(Uri, "python", 1, "def add(a, b):\n    \nprint(add(1, 2))\n");
        for (var i = 0; i < "return ".Length; i++)
        {
            h.At(1 + i);                                   // typed at 1..7 s
            h.Insert(Uri, 19 + i, "return "[i].ToString());
        }

        // t = 8 s: caret after "    return " = 26; length 15 + 12 + 17 = 44.
        h.At(8);
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 26, CompletionTrigger.Auto);
        Assert.Equal(TelemetryHarness.Epoch.AddSeconds(8), start.At);
        Assert.Equal("/work/proj", start.ProjectFolder);
        var c = start.Contextual;
        Assert.Equal(("0.11.0", "Neovim", CompletionTrigger.Auto, "python", "/work/proj/a.py"), (c.PluginVersion, c.Ide, c.Trigger, c.Language, c.FilePath));
        Assert.Equal((1, 44, 26.0 / 44.0), (c.CaretLine, c.DocumentCharLength, c.RelativeDocumentPosition));
        Assert.Null(start.Behavioral.TimeSinceLastShownMs);
        Assert.Null(start.Behavioral.TimeSinceLastAcceptedMs);
        Assert.Equal(0.7, start.Behavioral.TypingSpeed!.Value, 12);  // 7 characters in (−2, 8] / 10

        h.At(8.25);
        var query = h.Recorder.CompleteQuery(
            start,
            new CompletionContextText("def add(a, b):\n    return ", "\nprint(add(1, 2))\n", null),
            [TelemetryHarness.Generation("m1", "a + b", 200, 0.9, [-0.1, -0.2])]);
        Assert.NotNull(query);
        Assert.Equal(start.QueryId, query.QueryId);
        Assert.Equal(h.Session.SessionId, query.SessionId);
        Assert.Equal(start.At, query.OccurredAt);
        Assert.Equal(250, query.TotalServingTimeMs);
        Assert.Equal(QueryRecorder.ServerVersion, query.ServerVersion);
        Assert.Equal(("def add(a, b):\n    return ", "\nprint(add(1, 2))\n", "a.py", (string?)null), (query.Context!.Prefix, query.Context.Suffix, query.Context.FileName, query.Context.SelectedText));
        Assert.Same(start.Contextual, query.Contextual);
        Assert.Same(start.Behavioral, query.Behavioral);
        var generation = Assert.Single(query.Generations);
        Assert.Equal(("m1", "a + b", 200, 0.9, false), (generation.Model, generation.Completion, generation.GenerationTimeMs, generation.Confidence, generation.WasAccepted));
        Assert.Equal([-0.1, -0.2], generation.Logprobs);
        Assert.Empty(generation.ShownAt);
        var ids = new[] { query.EventId, query.QueryId, query.Context.ContextId, c.ContextualTelemetryId, start.Behavioral.BehavioralTelemetryId };
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.Equal(ids.Length, ids.Distinct().Count());

        h.At(8.5);
        Assert.True(h.Feedback.Shown(start.QueryId, "m1"));
        h.At(9);
        h.Insert(Uri, 26, "a + b");                         // the editor inserts, then runs the accept command
        Assert.True(h.Feedback.Accepted(start.QueryId, "m1"));
        h.At(10);
        h.Insert(Uri, 15, "# sum\n");                       // a line above: anchor 26 → 32, region 32..37

        h.At(23);                                           // 15 s after the query
        h.At(24);                                           // 15 s after the acceptance
        h.At(30);
        h.Replace(Uri, 36, 1, "c");                         // "a + b" → "a + c"
        h.At(39);                                           // 30 s after the acceptance: LCS 4
        foreach (var (t, ch) in new[] { (40, " "), (41, "*"), (42, " "), (43, "2") })
        {
            h.At(t);
            h.Insert(Uri, 37 + t - 40, ch);                 // after the region: it stays 32..37
        }

        h.At(53);                                           // 45 s after the query
        h.At(60);
        h.Replace(Uri, 32, 9, "");                          // the line's code deleted: region 32..32
        h.At(98);                                           // 90 s after the query

        // Second query at t = 100 at the end: "def add(a, b):\n# sum\n    return \nprint(add(1, 2))\n" is 50 units.
        h.At(100);
        var second = h.Recorder.BeginQuery(h.Documents.Get(Uri), 50, CompletionTrigger.Manual);
        Assert.Equal((4, 50, 1.0, CompletionTrigger.Manual), (second.Contextual.CaretLine, second.Contextual.DocumentCharLength, second.Contextual.RelativeDocumentPosition, second.Contextual.Trigger));
        Assert.Equal(91_500, second.Behavioral.TimeSinceLastShownMs);
        Assert.Equal(91_000, second.Behavioral.TimeSinceLastAcceptedMs);
        Assert.Equal(0.0, second.Behavioral.TypingSpeed);   // last keystroke at 43 s
        Assert.NotNull(h.Recorder.CompleteQuery(second, new CompletionContextText("p", "", null), [TelemetryHarness.Generation("m1", "x = 1\ny = 2", 10, 0.5, []), TelemetryHarness.Generation("m2", "z", 12, 0.4, [])]));
        Assert.True(h.Feedback.Rejected(second.QueryId, "m1"));
        Assert.False(h.Feedback.Rejected(second.QueryId, "nope"));
        Assert.False(h.Feedback.Rejected(Guid.CreateVersion7(), "m1"));
        h.At(101); h.Insert(Uri, 50, "w");
        h.At(102); h.Insert(Uri, 51, "\n");
        h.At(103); h.Insert(Uri, 52, "v");
        h.At(115);                                          // 15 s after the second query: two lines (m1 has one break)

        h.At(608);                                          // first query's lifetime ends, one retention still due
        Assert.Equal(2, h.Book.Count);
        h.At(609);
        Assert.Equal(1, h.Book.Count);
        Assert.False(h.Feedback.Accepted(start.QueryId, "m1"));
        h.At(700);
        Assert.Equal(0, h.Book.Count);

        var shown = Assert.Single(h.Sink.OfType<ShownEvent>());
        Assert.Equal((start.QueryId, "m1", TelemetryHarness.Epoch.AddSeconds(8.5)), (shown.QueryId, shown.Model, shown.OccurredAt));
        var accepted = Assert.Single(h.Sink.OfType<AcceptedEvent>());
        Assert.Equal((start.QueryId, "m1", TelemetryHarness.Epoch.AddSeconds(9)), (accepted.QueryId, accepted.Model, accepted.OccurredAt));
        var rejected = Assert.Single(h.Sink.OfType<RejectedEvent>());
        Assert.Equal((second.QueryId, "m1", TelemetryHarness.Epoch.AddSeconds(100)), (rejected.QueryId, rejected.Model, rejected.OccurredAt));

        Assert.Equal(
            [
                (start.QueryId, 15, 23.0, "a + b", "   return ", "\nprint(add"),
                (start.QueryId, 45, 53.0, "a + c * 2", "   return ", "\nprint(add"),
                (start.QueryId, 90, 98.0, "", "   return ", "\nprint(add"),
                (second.QueryId, 15, 115.0, "w\nv", "dd(1, 2))\n", ""),
                (second.QueryId, 45, 145.0, "w\nv", "dd(1, 2))\n", ""),
                (second.QueryId, 90, 190.0, "w\nv", "dd(1, 2))\n", ""),
            ],
            h.Sink.OfType<GroundTruthEvent>().Select(g =>
            {
                Assert.Equal(g.OccurredAt, g.TruthTimestamp);
                return (g.QueryId, g.AfterSeconds, (g.TruthTimestamp - TelemetryHarness.Epoch).TotalSeconds, g.Truth, g.ContextBefore, g.ContextAfter);
            }));

        Assert.Equal(
            [(15, 24.0, 5, 5), (30, 39.0, 5, 4), (120, 129.0, 5, 0), (300, 309.0, 5, 0), (600, 609.0, 5, 0)],
            h.Sink.OfType<RetentionEvent>().Select(r =>
            {
                Assert.Equal((start.QueryId, "m1"), (r.QueryId, r.Model));
                return (r.AfterSeconds, (r.OccurredAt - TelemetryHarness.Epoch).TotalSeconds, r.AcceptedChars, r.RetainedChars);
            }));

        Assert.Equal(2, h.Sink.OfType<CompletionQueryEvent>().Count);
        Assert.Equal(h.Sink.Events.Count, h.Sink.Events.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public void AutomaticTrigger_AfterAPauseOfIdleTriggerMs_IsIdle()
    {
        using var h = new TelemetryHarness(s_settings);   // IdleTriggerMs: the default 2000
        h.Documents.Open(Uri, "python", 1, "x = ");
        h.At(1);
        var sinceOpen = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Auto);       // never changed: a pause
        h.At(2);
        h.Insert(Uri, 4, "1");
        h.At(3.999);
        var typing = h.Recorder.BeginQuery(h.Documents.Get(Uri), 5, CompletionTrigger.Auto);          // 1999 ms after the change
        h.At(4);
        var paused = h.Recorder.BeginQuery(h.Documents.Get(Uri), 5, CompletionTrigger.Auto);          // 2000 ms
        var invoked = h.Recorder.BeginQuery(h.Documents.Get(Uri), 5, CompletionTrigger.Manual);       // invoked stays manual
        h.At(4.5);
        h.Insert(Uri, 5, "2");
        h.Documents.Close(Uri);
        h.Documents.Open(Uri, "python", 9, "x = 12");
        var reopened = h.Recorder.BeginQuery(h.Documents.Get(Uri), 6, CompletionTrigger.Auto);        // changed 0 ms ago, but closed and reopened since

        Assert.Equal(
            [CompletionTrigger.Idle, CompletionTrigger.Auto, CompletionTrigger.Idle, CompletionTrigger.Manual, CompletionTrigger.Idle],
            new[] { sinceOpen, typing, paused, invoked, reopened }.Select(q => q.Contextual.Trigger));
    }

    [Fact]
    public void CancelQuery_RecordsNothingAndForgetsTheQuery()
    {
        using var h = new TelemetryHarness(s_settings);
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Auto);
        h.Recorder.CancelQuery(start);
        Assert.Equal(0, h.Book.Count);
        Assert.Null(h.Recorder.CompleteQuery(start, new CompletionContextText("x = ", "", null), []));
        h.At(100);
        Assert.Empty(h.Sink.Events);
    }

    [Fact]
    public void NeverCompletedQuery_IsForgottenAtTheFirstGroundTruthDelayWithoutEvents()
    {
        using var h = new TelemetryHarness(s_settings);
        h.Documents.Open(Uri, "python", 1, "x = ");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Auto);
        h.At(15);
        Assert.Equal(0, h.Book.Count);
        Assert.False(h.Feedback.Shown(start.QueryId, "m1"));
        Assert.Empty(h.Sink.Events);
    }

    [Fact]
    public void GroundTruth_FullSyncEditsAndClose_FollowsTheAnchorAndFreezesAtClose()
    {
        using var h = new TelemetryHarness(s_settings);
        h.Documents.Open(Uri, "python", 1, "x = \n");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Manual);
        h.Recorder.CompleteQuery(start, new CompletionContextText("x = ", "\n", null), [TelemetryHarness.Generation("m1", "1", 5, 0.1, [])]);
        h.At(1);
        h.ReplaceAll(Uri, "import os\nx = \n");         // full sync: trimmed to an insert at 0; anchor 4 → 14
        h.At(2);
        h.ReplaceAll(Uri, "import os\nx = os.sep\n");  // typed at the anchor
        h.Documents.Close(Uri);
        h.At(90);

        Assert.Equal(
            ["os.sep", "os.sep", "os.sep"],
            h.Sink.OfType<GroundTruthEvent>().Select(g => g.Truth));
        Assert.Equal("rt os\nx = ", h.Sink.OfType<GroundTruthEvent>()[0].ContextBefore);
    }

    [Fact]
    public void PartiallyAccepted_WordByWord_RetainsTheLongestAcceptedPrefix()
    {
        using var h = new TelemetryHarness(s_settings);
        h.Documents.Open(Uri, "python", 1, "y = \n");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 4, CompletionTrigger.Auto);
        h.Recorder.CompleteQuery(start, new CompletionContextText("y = ", "\n", null), [TelemetryHarness.Generation("m1", "f(a, b)", 5, 0.1, [])]);
        h.At(1);
        h.Insert(Uri, 4, "f");                              // one character accepted: not typing
        Assert.True(h.Feedback.PartiallyAccepted(start.QueryId, "m1", 1));
        Assert.Equal(0.0, h.Typing.CharactersPerSecond);
        h.At(2);
        h.Insert(Uri, 5, "(a, ");
        Assert.True(h.Feedback.PartiallyAccepted(start.QueryId, "m1", 5));
        Assert.True(h.Feedback.PartiallyAccepted(start.QueryId, "m1", 99));   // clamped to 7
        h.Insert(Uri, 9, "b)");
        h.At(16);                                           // 15 s after the first acceptance

        Assert.Equal([1, 5, 7], h.Sink.OfType<PartialAcceptEvent>().Select(p => p.AcceptedLength));
        var retention = Assert.Single(h.Sink.OfType<RetentionEvent>());
        Assert.Equal((15, 7, 7), (retention.AfterSeconds, retention.AcceptedChars, retention.RetainedChars));
    }

    [Fact]
    public void Accepted_ItemReplacedTextBeforeTheCaret_FindsTheAcceptedTextNearTheAnchor()
    {
        using var h = new TelemetryHarness(s_settings);
        h.Documents.Open(Uri, "python", 1, "pri\n");
        var start = h.Recorder.BeginQuery(h.Documents.Get(Uri), 3, CompletionTrigger.Auto);
        h.Recorder.CompleteQuery(start, new CompletionContextText("pri", "\n", null), [TelemetryHarness.Generation("m1", "print()", 5, 0.1, [])]);
        h.Replace(Uri, 0, 3, "print()");                    // the item's range covered "pri"
        Assert.True(h.Feedback.Accepted(start.QueryId, "m1"));
        h.At(15);

        var retention = Assert.Single(h.Sink.OfType<RetentionEvent>());
        Assert.Equal((7, 7), (retention.AcceptedChars, retention.RetainedChars));
    }

    [Fact]
    public void Session_StartAndEnd_EmitOnceWithTheSameSessionId()
    {
        using var h = new TelemetryHarness();
        h.Session.Start(new ClientIdentity("Neovim", "0.11.0"), ["/work/proj"]);
        h.Session.Start(new ClientIdentity("Neovim", "0.11.0"), ["/work/proj"]);
        h.At(5);
        h.Session.End();
        h.Session.End();

        var started = Assert.Single(h.Sink.OfType<SessionStartedEvent>());
        var ended = Assert.Single(h.Sink.OfType<SessionEndedEvent>());
        Assert.Equal((h.Session.SessionId, "Neovim", "0.11.0", TelemetryHarness.Epoch), (started.SessionId, started.Ide, started.PluginVersion, started.OccurredAt));
        Assert.Equal(["/work/proj"], started.WorkspaceFolders);
        Assert.Equal((h.Session.SessionId, TelemetryHarness.Epoch.AddSeconds(5)), (ended.SessionId, ended.OccurredAt));
    }
}
