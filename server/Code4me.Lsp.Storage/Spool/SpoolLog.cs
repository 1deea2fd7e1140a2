using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>Log lines of the spool and the pipeline: paths, counts and sizes, never event content.</summary>
internal static partial class SpoolLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry spool {Directory}: {Segments} segment(s), {Unacknowledged} record(s) to replay, {Bytes} bytes.")]
    public static partial void Opened(ILogger logger, string directory, int segments, long unacknowledged, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry spool segment {Segment}: {Problem} after {Records} good record(s) at byte {Offset}; cut off {Bytes} byte(s) (a crash mid-write, or disk corruption).")]
    public static partial void Truncated(ILogger logger, string segment, string problem, long offset, long bytes, int records);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry spool {Directory}: the acknowledgement file is unreadable; every spooled record will be offered to the database again (inserts are idempotent).")]
    public static partial void AckUnreadable(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry spool {Directory} holds {Bytes} of at most {MaxBytes} bytes: is the database reachable? At the bound new telemetry is dropped. Upload with `code4me-lsp telemetry flush`.")]
    public static partial void NearBound(ILogger logger, string directory, long bytes, long maxBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry spool {Directory} is full ({MaxBytes} bytes): new telemetry is being DROPPED ({Dropped} event(s) so far). Make the database reachable, or raise Code4me:Telemetry:Spool:MaxBytes.")]
    public static partial void Dropping(ILogger logger, string directory, long maxBytes, long dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry spool {Directory}: appending {Count} event(s) failed; they are dropped.")]
    public static partial void AppendFailed(ILogger logger, Exception exception, string directory, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry queue is full ({Capacity} events): dropping new telemetry ({Dropped} so far).")]
    public static partial void QueueFull(ILogger logger, int capacity, long dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry spool record {Sequence} cannot be read as an event ({Reason}); skipped.")]
    public static partial void Undecodable(ILogger logger, long sequence, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The research database is unavailable: {Reason} Telemetry stays in the spool and is retried (said once per outage; each attempt at Debug).")]
    public static partial void OutageStarted(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The research database is reachable again after {Duration}; uploading the spooled telemetry.")]
    public static partial void OutageEnded(ILogger logger, TimeSpan duration);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Writing a telemetry batch failed (attempt {Attempt}); retrying in {Delay}. It stays in the spool.")]
    public static partial void WriteRetry(ILogger logger, Exception? exception, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Telemetry writer circuit opened for {Duration}: the database keeps failing; events keep going to the spool.")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan duration);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Telemetry writer circuit closed.")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "The telemetry spool {Directory} could not be opened; this session's telemetry is not recorded (completions are not affected).")]
    public static partial void SpoolUnavailable(ILogger logger, string directory, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry pipeline failed unexpectedly; events stay in the spool for the next start.")]
    public static partial void PipelineFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No database is configured (Code4me:Database:ConnectionString or CODE4ME_DATABASE_URL): telemetry is kept in the spool {Directory} (at most {MaxBytes} bytes, then new events are dropped). Upload it with `code4me-lsp telemetry flush --database …`.")]
    public static partial void NoDatabase(ILogger logger, string directory, long maxBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry consent is off: {Directory} keeps what was recorded with consent and uploads it when consent is on again (withdrawing consent discards it).")]
    public static partial void WaitingForConsent(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry consent withdrawn: {Discarded} spooled event(s) discarded, never uploaded; the record of the withdrawal is kept.")]
    public static partial void Withdrawn(ILogger logger, long discarded);
}
