using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Postgres.Telemetry;

/// <summary>Log lines of the PostgreSQL telemetry writer: ids, counts and SQL states, never code text.</summary>
internal static partial class TelemetryWriterLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Wrote {Count} telemetry event(s) to PostgreSQL.")]
    public static partial void Wrote(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "A telemetry batch of {Count} event(s) has rows already stored (in {Table}): a replay; writing only its missing rows.")]
    public static partial void BatchOverlapsStoredRows(ILogger logger, int count, string? table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A telemetry batch of {Count} event(s) was refused by PostgreSQL ({SqlState}: {Reason}); writing its events one by one to find the one(s) at fault.")]
    public static partial void BatchRefused(ILogger logger, int count, string sqlState, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Telemetry event {EventId} ({Type}) can never be stored and is skipped: PostgreSQL refused it ({SqlState}: {Reason}).")]
    public static partial void EventSkipped(ILogger logger, Guid eventId, string type, string sqlState, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The configured auth token (Code4me:Database:AuthToken) belongs to no user in the database; telemetry is written without a user.")]
    public static partial void UnknownAuthToken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account of the configured auth token was deleted with all its data; {Count} spooled telemetry event(s) of it are discarded, not written.")]
    public static partial void DeletedAccountDiscarded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This installation's telemetry was deleted with all its data (data delete --installation); {Count} spooled telemetry event(s) of it are discarded, not written. Delete {IdFile} to give this machine a new, unlinked identity.")]
    public static partial void DeletedInstallationDiscarded(ILogger logger, int count, string idFile);
}
