namespace Code4me.Lsp.Core.Telemetry;

/// <summary>
/// The <see cref="ITelemetrySink"/> in front of the pipeline: what consent excludes is never enqueued, so it never
/// reaches the spool (consent off: not one spool byte).
/// </summary>
public sealed class ConsentFilter(ITelemetrySink inner, ConsentPolicy policy) : ITelemetrySink
{
    public void Enqueue(TelemetryEvent telemetryEvent)
    {
        if (policy.Filter(telemetryEvent) is { } allowed)
        {
            inner.Enqueue(allowed);
        }
    }
}
