using System.Text.Json.Serialization;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// A completion query: the <c>meta_query</c> (query_type 'completion') and <c>completion_query</c> rows with
/// their <c>context</c>, <c>contextual_telemetry</c>, <c>behavioral_telemetry</c> and <c>had_generation</c> rows.
/// <see cref="TelemetryEvent.OccurredAt"/> is <c>meta_query.timestamp</c> (when the request arrived).
/// </summary>
/// <param name="QueryId"><c>meta_query_id</c>; the id the editor echoes in shown/accepted/rejected events.</param>
/// <param name="ProjectFolder">The workspace folder that contains the file (→ <c>project</c>), null if none does.</param>
/// <param name="Context">Null when consent excludes it.</param>
/// <param name="Contextual">Null when consent excludes it.</param>
/// <param name="Behavioral">Null when consent excludes it.</param>
/// <param name="TotalServingTimeMs">From the request's arrival to the result, in milliseconds.</param>
/// <param name="MultiFile">
/// Multi-file context (<see cref="MultiFileContextTracker"/>); null when no other file went into the prompt or consent
/// excludes code text. Added after the first spool format: absent from the JSON when null, so records written before
/// it still read, and records without it still read in servers that predate it.
/// </param>
public sealed record CompletionQueryEvent(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid QueryId,
    Guid SessionId,
    string? ProjectFolder,
    ContextRecord? Context,
    ContextualTelemetry? Contextual,
    BehavioralTelemetry? Behavioral,
    IReadOnlyList<GenerationRecord> Generations,
    int TotalServingTimeMs,
    string ServerVersion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MultiFileContext? MultiFile = null) : TelemetryEvent(EventId, OccurredAt);
