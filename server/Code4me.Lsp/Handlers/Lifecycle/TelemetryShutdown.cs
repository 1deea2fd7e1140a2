using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Storage.Spool;

namespace Code4me.Lsp.Handlers.Lifecycle;

/// <summary>
/// At <c>shutdown</c>: records the queries still waiting for their late generations, ends the telemetry session and makes every queued event durable in the spool; then
/// gives the database a bounded moment to take it (whatever it does not take is uploaded at the next start
/// or by <c>code4me-lsp telemetry flush</c>). Shutdown never hangs on a database that is away.
/// </summary>
internal sealed class TelemetryShutdown(TelemetrySession session, TelemetryPipeline pipeline, QueryRecorder recorder) : IShutdownParticipant
{
    private static readonly TimeSpan s_uploadGrace = TimeSpan.FromSeconds(2);

    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        // Queries still waiting for a late model are recorded first (each ends by the completion deadline).
        await recorder.WhenRecordedAsync(cancellationToken);
        session.End();
        await pipeline.SpoolQueuedAsync(cancellationToken);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(s_uploadGrace);
        try
        {
            await pipeline.FlushAsync(grace.Token);
        }
        catch (OperationCanceledException) when (grace.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Still spooled; uploaded later.
        }
    }
}
