namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Accepted-and-retained characters: <see cref="AfterSeconds"/> after the first acceptance, how many of the
/// <see cref="AcceptedChars"/> accepted UTF-16 code units are still in the file (see <see cref="RetentionMeasure"/>).
/// </summary>
public sealed record RetentionEvent(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid QueryId,
    string Model,
    int AfterSeconds,
    int AcceptedChars,
    int RetainedChars) : TelemetryEvent(EventId, OccurredAt);
