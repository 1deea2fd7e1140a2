namespace Code4me.Lsp.Core.Telemetry;

/// <summary>The <c>behavioral_telemetry</c> row, measured when the request arrived.</summary>
/// <param name="TimeSinceLastShownMs">Milliseconds since a completion was last shown (didShowCompletion); null when never.</param>
/// <param name="TimeSinceLastAcceptedMs">Milliseconds since a completion was last accepted (fully or partly); null when never.</param>
/// <param name="TypingSpeed">Code4me V2 typing speed: typed printable characters in the last 10 s / 10 (characters per second).</param>
public sealed record BehavioralTelemetry(Guid BehavioralTelemetryId, long? TimeSinceLastShownMs, long? TimeSinceLastAcceptedMs, double? TypingSpeed);
