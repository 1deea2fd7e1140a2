using Code4me.Lsp.Core.Privacy;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class ConsentPolicyTests
{
    private static readonly DateTimeOffset s_at = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly Guid s_id = Guid.CreateVersion7(s_at);
    private static readonly SecretFileMatcher s_files = SecretFileMatcher.For(SecretOptions.DefaultFilePatterns);
    private static readonly ConsentLevel s_all = new(true, true, true, true);

    private static CompletionQueryEvent Query(string file = "/w/a.py", string prefix = "def f(") => new(
        Guid.CreateVersion7(s_at), s_at, s_id, s_id, "/w",
        new ContextRecord(Guid.CreateVersion7(s_at), prefix, ")", file, null),
        new ContextualTelemetry(Guid.CreateVersion7(s_at), "1", "ide", CompletionTrigger.Auto, "python", file, 0, 7, 0.5),
        new BehavioralTelemetry(Guid.CreateVersion7(s_at), 10, null, 1.5),
        [new GenerationRecord("m", "x)", 5, 0.5, [-0.1], [], false)], 9, "1");

    public static TheoryData<TelemetryEvent> EveryKind() =>
    [
        new SessionStartedEvent(s_id, s_at, s_id, "ide", "1", ["/w"]),
        new SessionEndedEvent(s_id, s_at, s_id),
        Query(),
        new ShownEvent(s_id, s_at, s_id, "m"),
        new AcceptedEvent(s_id, s_at, s_id, "m"),
        new PartialAcceptEvent(s_id, s_at, s_id, "m", 2),
        new RejectedEvent(s_id, s_at, s_id, "m"),
        new GroundTruthEvent(s_id, s_at, s_id, 15, s_at, "x)", "def f(", ""),
        new RetentionEvent(s_id, s_at, s_id, "m", 15, 2, 2),
    ];

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Apply_MasterSwitchOff_DropsEveryKind(TelemetryEvent e)
    {
        Assert.Null(ConsentPolicy.Apply(e, new ConsentLevel(false, true, true, true), s_files));
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Apply_EverythingConsented_KeepsEveryKind(TelemetryEvent e)
    {
        Assert.NotNull(ConsentPolicy.Apply(e, s_all, s_files));
    }

    [Fact]
    public void Apply_ConsentChangedWithMasterOff_IsKept()
    {
        var change = new ConsentChangedEvent(s_id, s_at, s_id, s_all, ConsentLevel.None, "workspace/didChangeConfiguration");

        Assert.Same(change, ConsentPolicy.Apply(change, ConsentLevel.None, s_files));
    }

    [Fact]
    public void Apply_OnlyMaster_StripsEveryModuleAndGroundTruthAndRetention()
    {
        var level = new ConsentLevel(true, false, false, false);

        var query = Assert.IsType<CompletionQueryEvent>(ConsentPolicy.Apply(Query(), level, s_files));
        Assert.Null(query.Context);
        Assert.Null(query.Contextual);
        Assert.Null(query.Behavioral);
        Assert.Single(query.Generations);
        Assert.Null(ConsentPolicy.Apply(new GroundTruthEvent(s_id, s_at, s_id, 15, s_at, "x", "", ""), level, s_files));
        Assert.Null(ConsentPolicy.Apply(new RetentionEvent(s_id, s_at, s_id, "m", 15, 2, 2), level, s_files));
        Assert.NotNull(ConsentPolicy.Apply(new ShownEvent(s_id, s_at, s_id, "m"), level, s_files));
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void Apply_OneModule_KeepsExactlyThatModule(bool context, bool contextual, bool behavioral)
    {
        var query = (CompletionQueryEvent)ConsentPolicy.Apply(Query(), new ConsentLevel(true, context, contextual, behavioral), s_files)!;

        Assert.Equal(context, query.Context is not null);
        Assert.Equal(contextual, query.Contextual is not null);
        Assert.Equal(behavioral, query.Behavioral is not null);
    }

    [Fact]
    public void Apply_SecretInContextAndGroundTruth_IsRedacted()
    {
        const string Key = "AKIAIOSFODNN7EXAMPLE";
        var query = (CompletionQueryEvent)ConsentPolicy.Apply(Query(prefix: $"key = \"{Key}\"\n"), s_all, s_files)!;
        var truth = (GroundTruthEvent)ConsentPolicy.Apply(new GroundTruthEvent(s_id, s_at, s_id, 15, s_at, $"token = \"{Key}\"", Key, Key), s_all, s_files)!;

        Assert.DoesNotContain(Key, query.Context!.Prefix, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, truth.Truth, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, truth.ContextBefore, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, truth.ContextAfter, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_QueryInSecretFile_IsDropped()
    {
        Assert.Null(ConsentPolicy.Apply(Query(file: "/w/.env"), s_all, s_files));
    }
}
