namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The user's consent changed (an <c>audit_log</c> row, event_type 'consent'). Always recorded, whatever the
/// consent: it is the record of a withdrawal too. It carries no code and no personal data.
/// </summary>
/// <param name="SessionId">The session in which it changed (the writer resolves the user through it).</param>
/// <param name="Origin">Where the change came from: <c>initializationOptions</c> or <c>workspace/didChangeConfiguration</c>.</param>
public sealed record ConsentChangedEvent(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid SessionId,
    ConsentLevel Previous,
    ConsentLevel Current,
    string Origin) : TelemetryEvent(EventId, OccurredAt);
