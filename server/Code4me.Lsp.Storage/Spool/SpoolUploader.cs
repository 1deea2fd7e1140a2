using Microsoft.Extensions.Logging;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>
/// Uploads what a spool holds, batch by batch, acknowledging each after the writer returns: the one-shot
/// counterpart of <see cref="TelemetryPipeline"/>'s writer loop, for <c>code4me-lsp telemetry flush</c>. No retry:
/// a failure is thrown at once, and what is not yet acknowledged stays spooled.
/// </summary>
internal static class SpoolUploader
{
    /// <summary>Events handed to the writer, and records that could not be read (skipped).</summary>
    public readonly record struct Result(long Uploaded, long Undecodable);

    public static async Task<Result> UploadAsync(
        DurableSpool spool, ITelemetryBatchWriter writer, int batchSize, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(writer);
        long uploaded = 0, undecodable = 0;
        while (true)
        {
            var raw = spool.ReadAfter(spool.AcknowledgedSequence, batchSize);
            if (raw.Count == 0)
            {
                return new Result(uploaded, undecodable);
            }

            var records = new List<SpooledRecord>(raw.Count);
            foreach (var (sequence, payload) in raw)
            {
                if (SpoolCodec.Decode(sequence, payload, logger) is { } e)
                {
                    records.Add(new SpooledRecord(sequence, e));
                }
                else
                {
                    undecodable++;
                }
            }

            if (records.Count > 0)
            {
                await writer.WriteAsync(records, cancellationToken);
            }

            spool.Acknowledge(raw[^1].Sequence);
            uploaded += records.Count;
        }
    }
}
