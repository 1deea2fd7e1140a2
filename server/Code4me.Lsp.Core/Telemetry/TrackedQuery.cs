using Code4me.Lsp.Core.Documents;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The mutable state of one completion query, kept in the <see cref="QueryBook"/> and changed only under its lock.</summary>
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

    /// <summary>Model → completion; null until the query answered (<see cref="QueryRecorder.AnswerQuery"/>), then every model's, late ones too.</summary>
    public IReadOnlyDictionary<string, string>? Generations { get; set; }

    /// <summary>The models that had answered when the editor got its items, in order of arrival.</summary>
    public IReadOnlyList<string> AnsweredModels { get; set; } = [];

    /// <summary>True when the typed-ahead cache answered.</summary>
    public bool FromCache { get; set; }

    public int SuggestionLineBreaks { get; set; }

    /// <summary>True once the query event was emitted; until then, the query's other events wait in <see cref="Pending"/>.</summary>
    public bool Recorded { get; set; }

    /// <summary>Events (shown, accepted, ground truth, …) that happened before the query event was emitted, in order.</summary>
    public List<TelemetryEvent> Pending { get; } = [];

    public List<ITimer> Timers { get; } = [];

    public bool Expired { get; set; }

    /// <summary>Displays the editor reported.</summary>
    public int ShownCount { get; set; }

    public bool Rejected { get; set; }

    /// <summary>The model whose suggestion was last accepted in full (<c>code4me.acceptCompletion</c>).</summary>
    public string? FullyAcceptedModel { get; set; }

    /// <summary>The longest partial acceptance the editor reported.</summary>
    public int PartiallyAcceptedLength { get; set; }

    /// <summary>The model whose text retention follows: the first accepted, fully or partly.</summary>
    public string? AcceptedModel { get; set; }

    public string AcceptedText { get; set; } = string.Empty;

    public DateTimeOffset AcceptedAt { get; set; }

    public int RetentionPending { get; set; }

    /// <summary>Where the accepted text is; null until it has been found in the document.</summary>
    public (int Start, int End)? Region { get; set; }
}
