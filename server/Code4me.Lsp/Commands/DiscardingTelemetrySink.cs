using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Commands;

/// <summary>For commands that must not record telemetry (and must not touch the user's spool).</summary>
internal sealed class DiscardingTelemetrySink : ITelemetrySink
{
    public void Enqueue(TelemetryEvent telemetryEvent)
    {
    }
}
