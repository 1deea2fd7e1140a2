using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Spool;

namespace Code4me.Lsp.IntegrationTests.Telemetry;

/// <summary>
/// Telemetry events with every field set to a distinct value, for field-by-field assertions. Times are whole
/// milliseconds (PostgreSQL keeps microseconds), in UTC.
/// </summary>
internal sealed class SampleEvents
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 4, 10, 0, 0, TimeSpan.Zero);

    public SampleEvents(string tag = "")
    {
        Tag = tag + Guid.NewGuid().ToString("N")[..6];
        SessionId = Guid.CreateVersion7(T0);
        QueryId = Guid.CreateVersion7(T0);
        Session = new SessionStartedEvent(Guid.CreateVersion7(T0), T0, SessionId, "Neovim", "0.11.0", [$"/home/ada/{Tag}/app", $"/home/ada/{Tag}/lib/"]);
        Query = new CompletionQueryEvent(
            Guid.CreateVersion7(T0), T0.AddSeconds(1), QueryId, SessionId, $"/home/ada/{Tag}/app",
            new ContextRecord(Guid.CreateVersion7(T0), "def add(a, b):\n    return ", "\n\nprint(add(1, 2))", "calc.py", "a + b"),
            new ContextualTelemetry(Guid.CreateVersion7(T0), "0.11.0", "Neovim", CompletionTrigger.Auto, $"lang-{Tag}", $"/home/ada/{Tag}/app/calc.py", 1, 48, 0.5625),
            new BehavioralTelemetry(Guid.CreateVersion7(T0), 1500, null, 2.7),
            [
                new GenerationRecord($"model-a-{Tag}", "a + b", 120, 0.875, [-0.1, -0.25, -0.5], [], false, PromptTokens: 57, CompletionTokens: 3),
                new GenerationRecord($"model-b-{Tag}", "sum([a, b])", 340, 0.5, [], [T0.AddSeconds(1.5)], false),
            ],
            410,
            "1.2.3-test");
        ModelA = Query.Generations[0].Model;
        ModelB = Query.Generations[1].Model;
        Shown = new ShownEvent(Guid.CreateVersion7(T0), T0.AddSeconds(2), QueryId, ModelA);
        ShownAgain = new ShownEvent(Guid.CreateVersion7(T0), T0.AddSeconds(3), QueryId, ModelA);
        Partial = new PartialAcceptEvent(Guid.CreateVersion7(T0), T0.AddSeconds(4), QueryId, ModelA, 3);
        Accepted = new AcceptedEvent(Guid.CreateVersion7(T0), T0.AddSeconds(5), QueryId, ModelA);
        Rejected = new RejectedEvent(Guid.CreateVersion7(T0), T0.AddSeconds(6), QueryId, ModelB);
        GroundTruth = new GroundTruthEvent(Guid.CreateVersion7(T0), T0.AddSeconds(16), QueryId, 15, T0.AddSeconds(16), "a + b", "    return ", "\n\nprint");
        Retention = new RetentionEvent(Guid.CreateVersion7(T0), T0.AddSeconds(20), QueryId, ModelA, 15, 5, 4);
        ConsentChanged = new ConsentChangedEvent(
            Guid.CreateVersion7(T0), T0.AddSeconds(25), SessionId, new ConsentLevel(true, true, true, true), new ConsentLevel(true, false, true, true), "workspace/didChangeConfiguration");
        SessionEnded = new SessionEndedEvent(Guid.CreateVersion7(T0), T0.AddMinutes(30), SessionId);
    }

    public string Tag { get; }

    public Guid SessionId { get; }

    public Guid QueryId { get; }

    public string ModelA { get; }

    public string ModelB { get; }

    public SessionStartedEvent Session { get; }

    public CompletionQueryEvent Query { get; }

    public ShownEvent Shown { get; }

    public ShownEvent ShownAgain { get; }

    public PartialAcceptEvent Partial { get; }

    public AcceptedEvent Accepted { get; }

    public RejectedEvent Rejected { get; }

    public GroundTruthEvent GroundTruth { get; }

    public RetentionEvent Retention { get; }

    public ConsentChangedEvent ConsentChanged { get; }

    public SessionEndedEvent SessionEnded { get; }

    /// <summary>One event of every kind, in the order a session produces them.</summary>
    public IReadOnlyList<TelemetryEvent> All =>
        [Session, Query, Shown, ShownAgain, Partial, Accepted, Rejected, GroundTruth, Retention, ConsentChanged, SessionEnded];

    /// <summary>
    /// What <see cref="AllStoredOnceSql"/> reads once <see cref="All"/> is stored exactly once: the session, the query, its two
    /// generations, three displays, three feedback rows, the truth, the retention, and the session's end.
    /// </summary>
    public const string AllStoredOnce = "1,1,2,3,3,1,1,1";

    /// <summary>Counts of this sample's rows per table (parameters <c>@Session</c> and <c>@Query</c>: pass <see cref="Keys"/>).</summary>
    public const string AllStoredOnceSql = """
        SELECT concat_ws(',',
            (SELECT count(*) FROM session WHERE session_id = @Session),
            (SELECT count(*) FROM meta_query WHERE meta_query_id = @Query),
            (SELECT count(*) FROM had_generation WHERE meta_query_id = @Query),
            (SELECT sum(cardinality(shown_at)) FROM had_generation WHERE meta_query_id = @Query),
            (SELECT count(*) FROM generation_feedback WHERE meta_query_id = @Query),
            (SELECT count(*) FROM ground_truth WHERE completion_query_id = @Query),
            (SELECT count(*) FROM completion_retention WHERE meta_query_id = @Query),
            (SELECT count(*) FROM session WHERE session_id = @Session AND end_time IS NOT NULL))
        """;

    /// <summary>The parameters of <see cref="AllStoredOnceSql"/>.</summary>
    public object Keys => new { Session = SessionId, Query = QueryId };

    public static List<SpooledRecord> Records(IEnumerable<TelemetryEvent> events) =>
        [.. events.Select((e, i) => new SpooledRecord(i + 1, e))];
}
