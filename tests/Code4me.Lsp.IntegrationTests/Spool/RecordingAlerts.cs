using Code4me.Lsp.Storage.Spool;

namespace Code4me.Lsp.IntegrationTests.Spool;

internal sealed class RecordingAlerts : ITelemetrySpoolAlerts
{
    public int NearBoundCalls { get; private set; }

    public long LastDropped { get; private set; }

    public void NearBound(long bytes, long maxBytes) => NearBoundCalls++;

    public void Dropped(long totalDropped) => LastDropped = totalDropped;
}
