namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The user accepted the first <see cref="AcceptedLength"/> UTF-16 code units of a generation
/// (<c>textDocument/didPartiallyAcceptCompletion</c>; a word or a line at a time, so several may follow).
/// </summary>
public sealed record PartialAcceptEvent(Guid EventId, DateTimeOffset OccurredAt, Guid QueryId, string Model, int AcceptedLength)
    : TelemetryEvent(EventId, OccurredAt);
