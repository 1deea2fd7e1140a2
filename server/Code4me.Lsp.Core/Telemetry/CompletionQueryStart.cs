namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// What <see cref="QueryRecorder.BeginQuery"/> measured when the request arrived; hand it back to
/// <see cref="QueryRecorder.CompleteQuery"/>. <see cref="QueryId"/> goes into each item's accept command.
/// </summary>
public sealed record CompletionQueryStart(
    Guid QueryId,
    DateTimeOffset At,
    string Uri,
    int Offset,
    string? ProjectFolder,
    ContextualTelemetry Contextual,
    BehavioralTelemetry Behavioral);
