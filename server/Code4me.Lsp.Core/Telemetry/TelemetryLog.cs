using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>Log lines of telemetry derivation. None carries code text: ids, models and numbers only.</summary>
internal static partial class TelemetryLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Completion query {QueryId} is unknown, expired or already completed; no telemetry recorded for it.")]
    public static partial void QueryNotCompletable(ILogger logger, Guid queryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored a {What} report for unknown or expired completion query {QueryId}.")]
    public static partial void UnknownQuery(ILogger logger, string what, Guid queryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored a {What} report for completion query {QueryId}: model {Model} did not answer it.")]
    public static partial void UnknownModel(ILogger logger, string what, Guid queryId, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Completion query {QueryId}: model {Model} accepted after model {First}; retention follows the first.")]
    public static partial void SecondModelAccepted(ILogger logger, Guid queryId, string model, string first);

    [LoggerMessage(Level = LogLevel.Information, Message = "Completion query {QueryId}: the accepted text was never found in the document; no retention after {Seconds} s.")]
    public static partial void AcceptedTextNotFound(ILogger logger, Guid queryId, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The installation id could not be read or stored at {Path} ({Reason}); sessions are recorded without one.")]
    public static partial void InstallationIdUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The installation id file {Path} does not hold a UUID; a new id replaces it.")]
    public static partial void InstallationIdInvalid(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording completion query {QueryId} failed; it is not recorded.")]
    public static partial void RecordingFailed(ILogger logger, Guid queryId, Exception exception);
}
