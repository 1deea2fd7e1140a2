using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The mutable state <see cref="CompletionTracker"/> keeps per query, under its lock.</summary>
internal sealed class TrackedQuery(Guid queryId, string uri, DateTimeOffset at, Rope text, int anchor)
{
    public Guid QueryId { get; } = queryId;

    public string Uri { get; } = uri;

    public DateTimeOffset At { get; } = at;

    /// <summary>The latest text of the document (frozen when it is closed).</summary>
    public Rope Text { get; set; } = text;

    /// <summary>The query offset, followed through edits.</summary>
    public int Anchor { get; set; } = anchor;

    public bool Closed { get; set; }

    /// <summary>Model → completion; null until the query answered (<see cref="CompletionTracker.AnswerQuery"/>).</summary>
    public IReadOnlyDictionary<string, string>? Generations { get; set; }

    public int SuggestionLineBreaks { get; set; }

    /// <summary>True once the query event was emitted; until then, the query's other events wait in <see cref="Pending"/>.</summary>
    public bool Recorded { get; set; }

    /// <summary>Events (shown, accepted, ground truth, …) that happened before the query event was emitted, in order.</summary>
    public List<TelemetryEvent> Pending { get; } = [];

    public List<ITimer> Timers { get; } = [];

    public bool Expired { get; set; }

    public string? AcceptedModel { get; set; }

    public string AcceptedText { get; set; } = string.Empty;

    public DateTimeOffset AcceptedAt { get; set; }

    public int RetentionPending { get; set; }

    /// <summary>Where the accepted text is; null until it has been found in the document.</summary>
    public (int Start, int End)? Region { get; set; }
}
