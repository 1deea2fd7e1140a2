using Code4me.Lsp.Core;
using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.IntegrationTests.Spool;

/// <summary>A consent filter the test turns on and off: all or nothing, like <see cref="ConsentPolicy"/> when enabled or not.</summary>
internal sealed class SwitchableConsent(bool enabled) : ITelemetryEventFilter
{
    private readonly ChangeSignal _changed = new();
    private volatile bool _enabled = enabled;

    public bool AllowsRecording => _enabled;

    public TelemetryEvent? Filter(TelemetryEvent telemetryEvent) => _enabled || telemetryEvent is ConsentChangedEvent ? telemetryEvent : null;

    public Task WhenChangedAsync(CancellationToken cancellationToken) => _changed.Next.WaitAsync(cancellationToken);

    public void Set(bool enabled)
    {
        _enabled = enabled;
        _changed.Fire();
    }
}
