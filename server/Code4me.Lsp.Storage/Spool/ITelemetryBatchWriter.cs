namespace Code4me.Lsp.Storage.Spool;

/// <summary>
/// Puts a batch of spooled records into the database (the PostgreSQL writer implements it). Called serially, in
/// sequence order; a batch that returns is acknowledged and never offered again, a batch that throws is offered
/// again (whole) after a backoff. A crash between commit and acknowledgement re-offers it after the restart, so
/// the writer must be idempotent on the events' UUIDs.
/// </summary>
public interface ITelemetryBatchWriter
{
    Task WriteAsync(IReadOnlyList<SpooledRecord> records, CancellationToken cancellationToken);

    /// <summary>A failure of <see cref="WriteAsync"/> in one sentence a user can act on, for the one warning of an outage.</summary>
    string DescribeFailure(Exception exception) => exception.Message;
}
