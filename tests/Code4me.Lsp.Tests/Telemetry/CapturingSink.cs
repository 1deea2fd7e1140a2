using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

/// <summary>An <see cref="ITelemetrySink"/> that keeps every event, in order.</summary>
internal sealed class CapturingSink : ITelemetrySink
{
    private readonly Lock _gate = new();
    private readonly List<TelemetryEvent> _events = [];

    public IReadOnlyList<TelemetryEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<T> OfType<T>()
        where T : TelemetryEvent => [.. Events.OfType<T>()];

    public void Enqueue(TelemetryEvent telemetryEvent)
    {
        lock (_gate)
        {
            _events.Add(telemetryEvent);
        }
    }
}
