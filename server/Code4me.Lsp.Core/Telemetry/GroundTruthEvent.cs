namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// What the user actually wrote where a completion was asked for, <see cref="AfterSeconds"/> after the query
/// (a <c>ground_truth</c> row; key: query id + <see cref="TruthTimestamp"/>). See <see cref="GroundTruthCapture"/>
/// for the exact rule.
/// </summary>
/// <param name="TruthTimestamp">When it was captured: query time + <see cref="AfterSeconds"/>.</param>
/// <param name="Truth">From the (followed) query offset to the end of the line the suggestion would have ended on.</param>
/// <param name="ContextBefore">Up to N characters before <see cref="Truth"/>.</param>
/// <param name="ContextAfter">Up to N characters after <see cref="Truth"/>.</param>
public sealed record GroundTruthEvent(
    Guid EventId,
    DateTimeOffset OccurredAt,
    Guid QueryId,
    int AfterSeconds,
    DateTimeOffset TruthTimestamp,
    string? Truth,
    string? ContextBefore,
    string? ContextAfter) : TelemetryEvent(EventId, OccurredAt);
