using Code4me.Lsp.Storage.Spool;

namespace Code4me.Lsp.IntegrationTests.Support;

/// <summary>A batch writer that passes every batch on and completes <see cref="Failure"/> the first time one fails: a test awaits an outage instead of sleeping through it.</summary>
internal sealed class FailureSignal(ITelemetryBatchWriter inner) : ITelemetryBatchWriter
{
    private readonly TaskCompletionSource _failure = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Failure => _failure.Task;

    public async Task WriteAsync(IReadOnlyList<SpooledRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            await inner.WriteAsync(records, cancellationToken);
        }
        catch (Exception)
        {
            _failure.TrySetResult();
            throw;
        }
    }

    public string DescribeFailure(Exception exception) => inner.DescribeFailure(exception);
}
