namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The user accepted a whole generation (<c>code4me.acceptCompletion</c>): sets <c>had_generation.was_accepted</c>.</summary>
public sealed record AcceptedEvent(Guid EventId, DateTimeOffset OccurredAt, Guid QueryId, string Model) : TelemetryEvent(EventId, OccurredAt);
