namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The server lifetime ended (<c>shutdown</c> or exit): sets <c>session.end_time</c> to <see cref="TelemetryEvent.OccurredAt"/>.</summary>
public sealed record SessionEndedEvent(Guid EventId, DateTimeOffset OccurredAt, Guid SessionId) : TelemetryEvent(EventId, OccurredAt);
