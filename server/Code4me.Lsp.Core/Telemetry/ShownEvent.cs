namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The editor displayed a generation (<c>textDocument/didShowCompletion</c>): appends <see cref="TelemetryEvent.OccurredAt"/>
/// to <c>had_generation.shown_at</c>. The writer adds it as a set member (a replay adds nothing).
/// </summary>
public sealed record ShownEvent(Guid EventId, DateTimeOffset OccurredAt, Guid QueryId, string Model) : TelemetryEvent(EventId, OccurredAt);
