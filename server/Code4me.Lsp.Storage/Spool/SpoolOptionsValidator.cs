using Microsoft.Extensions.Options;

namespace Code4me.Lsp.Storage.Spool;

/// <summary>Validates <see cref="SpoolOptions"/> with messages that name the setting.</summary>
internal sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        const string S = SpoolOptions.Section;
        var failures = new List<string>();
        Check(options.SegmentBytes is >= 4096 and <= 1L << 30, $"{S}:SegmentBytes must be between 4096 and 1073741824; it is {options.SegmentBytes}.");
        Check(options.MaxBytes >= options.SegmentBytes, $"{S}:MaxBytes ({options.MaxBytes}) must be at least SegmentBytes ({options.SegmentBytes}).");
        Check(options.WarnAtPercent is >= 1 and <= 100, $"{S}:WarnAtPercent must be between 1 and 100; it is {options.WarnAtPercent}.");
        Check(options.QueueCapacity is >= 1 and <= 10_000_000, $"{S}:QueueCapacity must be between 1 and 10000000; it is {options.QueueCapacity}.");
        Check(options.BatchSize is >= 1 and <= 100_000, $"{S}:BatchSize must be between 1 and 100000; it is {options.BatchSize}.");
        Check(options.BatchWindowMs is >= 0 and <= 60_000, $"{S}:BatchWindowMs must be between 0 and 60000; it is {options.BatchWindowMs}.");
        Check(options.WriteBatchSize is >= 1 and <= 100_000, $"{S}:WriteBatchSize must be between 1 and 100000; it is {options.WriteBatchSize}.");
        Check(options.RetryBaseDelayMs is >= 1 && options.RetryMaxDelayMs >= options.RetryBaseDelayMs, $"{S}:RetryBaseDelayMs must be at least 1 and at most RetryMaxDelayMs; they are {options.RetryBaseDelayMs} and {options.RetryMaxDelayMs}.");
        Check(options.BreakDurationMs >= 500, $"{S}:BreakDurationMs must be at least 500 (Polly's minimum); it is {options.BreakDurationMs}.");
        Check(options.ShutdownUploadMs >= 0, $"{S}:ShutdownUploadMs must not be negative; it is {options.ShutdownUploadMs}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add(message);
            }
        }
    }
}
