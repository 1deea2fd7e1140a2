namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Decides, just before an event is written to the database, what of it may be written now (consent may have been
/// reduced since it was spooled). Returns the event, a reduced copy, or null to drop it.
/// </summary>
public interface ITelemetryEventFilter
{
    TelemetryEvent? Filter(TelemetryEvent telemetryEvent);
}
