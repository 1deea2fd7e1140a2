using Code4me.Lsp.Core.Documents;
using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Postgres.Telemetry;
using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>Multi-file context derivation; every expected JSON (as the writer sends it) is computed by hand.</summary>
public sealed class MultiFileContextTrackerTests
{
    private const string Project = "/work/proj";
    private const string Util = "/work/proj/lib/util.py";
    private static readonly Guid s_session = new("00000000-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset s_t1 = new(2025, 3, 1, 12, 0, 1, TimeSpan.Zero);
    private static readonly DateTimeOffset s_t2 = new(2025, 3, 1, 12, 0, 2, TimeSpan.Zero);
    private static readonly DateTimeOffset s_t3 = new(2025, 3, 1, 12, 0, 3, TimeSpan.Zero);

    [Fact]
    public void Observe_FirstUseUnchangedThenEdited_ResetThenOneReplacementPerQuery()
    {
        var tracker = Tracker();
        var v1 = Rope.FromString("def f():\n    return 1\n");
        var v2 = v1.Replace(20, 1, "42");                  // "def f():\n" is 9 units, "    return " 11: the "1" is at 20

        var first = tracker.Observe(s_session, Project, [(Util, v1)], s_t1)!;
        var same = tracker.Observe(s_session, Project, [(Util, v1)], s_t2)!;
        var edited = tracker.Observe(s_session, Project, [(Util, v2)], s_t3)!;

        Assert.Equal("""{"lib/util.py":"def f():\n    return 1\n"}""", MultiFileContextRows.BaselinesJson(first.Baselines));
        Assert.Equal(
            """{"00000000-0000-7000-8000-000000000001:1":{"path":"lib/util.py","offset":0,"deleted":null,"text":"def f():\n    return 1\n","at":"2025-03-01T12:00:01Z"}}""",
            MultiFileContextRows.ChangesJson(first.Changes));
        Assert.Equal("""{"lib/util.py":["00000000-0000-7000-8000-000000000001:1"]}""", MultiFileContextRows.IndexesJson(first));

        Assert.Empty(same.Baselines);
        Assert.Empty(same.Changes);
        Assert.Equal("""{"lib/util.py":["00000000-0000-7000-8000-000000000001:1"]}""", MultiFileContextRows.IndexesJson(same));

        Assert.Empty(edited.Baselines);
        Assert.Equal(
            """{"00000000-0000-7000-8000-000000000001:2":{"path":"lib/util.py","offset":20,"deleted":1,"text":"42","at":"2025-03-01T12:00:03Z"}}""",
            MultiFileContextRows.ChangesJson(edited.Changes));
        Assert.Equal(
            """{"lib/util.py":["00000000-0000-7000-8000-000000000001:1","00000000-0000-7000-8000-000000000001:2"]}""",
            MultiFileContextRows.IndexesJson(edited));
        Assert.Equal("def f():\n    return 42\n", MultiFileContextTracker.Apply(first.Baselines["lib/util.py"], [first.Changes.Values.Single(), edited.Changes.Values.Single()]));
    }

    [Fact]
    public void Observe_Bounds_TooLongFileIsListedAsNullAndOnlyTheFirstFilesCount()
    {
        var tracker = Tracker(maxFiles: 2, maxChars: 10);

        var context = tracker.Observe(
            s_session, Project,
            [("/work/proj/long.py", Rope.FromString("x = 12345678")), ("/work/proj/a.py", Rope.FromString("a = 1")), ("/work/proj/b.py", Rope.FromString("b = 2"))],
            s_t1)!;

        Assert.Equal("""{"a.py":"a = 1"}""", MultiFileContextRows.BaselinesJson(context.Baselines));
        Assert.Equal("""{"long.py":null,"a.py":["00000000-0000-7000-8000-000000000001:1"]}""", MultiFileContextRows.IndexesJson(context));
    }

    [Fact]
    public void Observe_ChainAtItsLimit_NextChangeIsAReset()
    {
        var tracker = Tracker();
        var text = Rope.FromString("n = 0");
        tracker.Observe(s_session, Project, [(Util, text)], s_t1);
        MultiFileContext? last = null;
        for (var i = 1; i <= MultiFileContextTracker.ChainLimit; i++)
        {
            text = text.Replace(4, text.Length - 4, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            last = tracker.Observe(s_session, Project, [(Util, text)], s_t2);
        }

        // The reset (key 1) and changes 2..32 make 32; the 32nd edit (key 33) is a reset to "n = 32".
        var change = Assert.Single(last!.Changes);
        Assert.Equal(("00000000-0000-7000-8000-000000000001:33", 0, (int?)null, "n = 32"), (change.Key, change.Value.Offset, change.Value.Deleted, change.Value.Text));
        Assert.Equal(["00000000-0000-7000-8000-000000000001:33"], last.Indexes["lib/util.py"]!);
    }

    [Fact]
    public void Observe_SecretInTheFile_IsRedactedBeforeTheDiffSoOffsetsStayExact()
    {
        var tracker = Tracker();
        var v1 = Rope.FromString("token = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\"\nx = 1\n");
        var v2 = v1.Replace(v1.Length - 2, 1, "2");

        var first = tracker.Observe(s_session, Project, [(Util, v1)], s_t1)!;
        var edited = tracker.Observe(s_session, Project, [(Util, v2)], s_t2)!;

        var baseline = first.Baselines["lib/util.py"];
        Assert.DoesNotContain("ghp_", baseline, StringComparison.Ordinal);
        Assert.Equal(SecretRedactor.Redact(v2.ToString()), MultiFileContextTracker.Apply(baseline, [first.Changes.Values.Single(), edited.Changes.Values.Single()]));
        Assert.Equal(1, edited.Changes.Values.Single().Deleted);
    }

    [Fact]
    public void Observe_NoProjectFolder_UsesTheFullPath()
    {
        var context = Tracker().Observe(s_session, null, [("/tmp/x.py", Rope.FromString("x"))], s_t1)!;

        Assert.Equal(["/tmp/x.py"], context.Indexes.Keys);
    }

    [Fact]
    public void Observe_ContextConsentOff_DerivesNothingAndStartsAfreshWhenItIsBack()
    {
        var consent = new ConsentOptions { Enabled = true, StoreContext = true };
        var tracker = new MultiFileContextTracker(Monitor(new TelemetryOptions()), new ConsentPolicy(Monitor(consent), SecretFileMatcher.For(SecretOptions.DefaultFilePatterns)));
        var text = Rope.FromString("a = 1");

        Assert.NotNull(tracker.Observe(s_session, Project, [(Util, text)], s_t1));
        consent.StoreContext = false;
        Assert.Null(tracker.Observe(s_session, Project, [(Util, text)], s_t2));
        consent.StoreContext = true;
        var back = tracker.Observe(s_session, Project, [(Util, text)], s_t3)!;

        // A new reset (key 2) rather than an index pointing at key 1 alone, which may not have been recorded.
        Assert.Equal("""{"lib/util.py":["00000000-0000-7000-8000-000000000001:2"]}""", MultiFileContextRows.IndexesJson(back));
        Assert.Equal((0, (int?)null, "a = 1"), (back.Changes.Values.Single().Offset, back.Changes.Values.Single().Deleted, back.Changes.Values.Single().Text));
    }

    [Theory]
    [InlineData("abc", "abc", 3, 0, "")]
    [InlineData("abc", "aXc", 1, 1, "X")]
    [InlineData("abc", "", 0, 3, "")]
    [InlineData("", "abc", 0, 0, "abc")]
    [InlineData("aaa", "aaaa", 3, 0, "a")]
    [InlineData("a\U0001F600b", "a\U0001F601b", 1, 2, "\U0001F601")]   // never splits a surrogate pair
    public void Diff_TwoTexts_OneReplacementThatRebuildsTheSecond(string before, string after, int offset, int deleted, string text)
    {
        var change = MultiFileContextTracker.Diff("p", before, after, s_t1);

        Assert.Equal((offset, (int?)deleted, text), (change.Offset, change.Deleted, change.Text));
        Assert.Equal(after, MultiFileContextTracker.Apply(before, [change]));
    }

    [Fact]
    public void ConsentApply_ContextExcluded_DropsTheMultiFileContext()
    {
        var context = Tracker().Observe(s_session, Project, [(Util, Rope.FromString("a = 1"))], s_t1);
        var query = new CompletionQueryEvent(Guid.CreateVersion7(s_t1), s_t1, Guid.CreateVersion7(s_t1), s_session, Project, null, null, null, [], 1, "1", context);
        var files = SecretFileMatcher.For(SecretOptions.DefaultFilePatterns);

        var without = (CompletionQueryEvent)ConsentPolicy.Apply(query, new ConsentLevel(true, false, true, true), files)!;
        var with = (CompletionQueryEvent)ConsentPolicy.Apply(query, new ConsentLevel(true, true, true, true), files)!;

        Assert.Null(without.MultiFile);
        Assert.Equal(MultiFileContextRows.ChangesJson(context!.Changes), MultiFileContextRows.ChangesJson(with.MultiFile!.Changes));
    }

    private static MultiFileContextTracker Tracker(int maxFiles = 8, int maxChars = 50_000) =>
        new(Monitor(new TelemetryOptions { MultiFileMaxFiles = maxFiles, MultiFileMaxCharsPerFile = maxChars }));

    private static FixedMonitor<T> Monitor<T>(T value) => new(value);

    private sealed class FixedMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
