namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Decides, just before an event is written to the database, what of it may be written now (consent may have been
/// reduced since it was spooled). Returns the event, a reduced copy, or null to drop it.
/// </summary>
public interface ITelemetryEventFilter
{
    TelemetryEvent? Filter(TelemetryEvent telemetryEvent);

    /// <summary>
    /// Completes once <see cref="Filter"/> applies the user's own rules (in a language server: once the editor's settings
    /// are in). Nothing may be written, nor dropped for consent, before then: judged by a default the user never chose,
    /// an earlier run's spool would be discarded.
    /// </summary>
    Task WhenReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// False while the user's consent is off. What is spooled was recorded with consent: while it is off, it waits in
    /// the spool, neither written nor discarded (a withdrawal discards it in the spool itself).
    /// </summary>
    bool AllowsRecording => true;

    /// <summary>Completes when <see cref="AllowsRecording"/> may have changed (a settings change was applied).</summary>
    Task WhenChangedAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
}
