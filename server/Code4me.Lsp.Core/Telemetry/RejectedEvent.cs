namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The user dismissed a generation (<c>code4me/completionRejected</c>).</summary>
public sealed record RejectedEvent(Guid EventId, DateTimeOffset OccurredAt, Guid QueryId, string Model) : TelemetryEvent(EventId, OccurredAt);
