using Code4me.Lsp.Storage.Spool;

namespace Code4me.Lsp.IntegrationTests.Spool;

/// <summary>A writer that fails its first <c>failures</c> calls (a database that is away), then keeps every record.</summary>
internal sealed class ScriptedBatchWriter(int failures = 0) : ITelemetryBatchWriter
{
    private readonly Lock _gate = new();
    private readonly List<SpooledRecord> _written = [];
    private int _calls;

    /// <summary>Make every call fail from now on (never succeed).</summary>
    public bool AlwaysFail { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<SpooledRecord> Written
    {
        get
        {
            lock (_gate)
            {
                return [.. _written];
            }
        }
    }

    public Task WriteAsync(IReadOnlyList<SpooledRecord> records, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) <= failures || AlwaysFail)
        {
            throw new IOException("database unavailable (scripted)");
        }

        lock (_gate)
        {
            _written.AddRange(records);
        }

        return Task.CompletedTask;
    }
}
