namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Records each change of consent as a <see cref="ConsentChangedEvent"/>. Called after a settings change has been
/// applied as a whole (a refused change never reaches it); the baseline is the consent when it is created
/// (appsettings, environment, command line), before the editor's settings.
/// </summary>
public sealed class ConsentAudit(ConsentPolicy policy, ITelemetrySink sink, TelemetrySession session, TimeProvider time)
{
    private readonly Lock _gate = new();
    private ConsentLevel _audited = policy.Current;

    /// <summary>Enqueues a <see cref="ConsentChangedEvent"/> when the consent differs from the last one recorded.</summary>
    public bool SettingsApplied(string origin)
    {
        ConsentLevel previous;
        var current = policy.Current;
        lock (_gate)
        {
            previous = _audited;
            if (previous == current)
            {
                return false;
            }

            _audited = current;
        }

        var now = time.GetUtcNow();
        sink.Enqueue(new ConsentChangedEvent(Guid.CreateVersion7(now), now, session.SessionId, previous, current, origin));
        return true;
    }
}
