namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// Where derived telemetry goes (the port the storage pipeline implements). <see cref="Enqueue"/> is called
/// on the dispatch path and from timers: it never blocks and never awaits; when it cannot keep an event it
/// drops it and counts it, loudly.
/// </summary>
public interface ITelemetrySink
{
    void Enqueue(TelemetryEvent telemetryEvent);
}
