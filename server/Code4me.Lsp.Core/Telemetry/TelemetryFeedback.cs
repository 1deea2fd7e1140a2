using Code4me.Lsp.Core.Completion;

namespace Code4me.Lsp.Core.Telemetry;

/// <summary>Passes what the editor reports about a suggestion (via <see cref="CompletionLedger"/>) on to the telemetry tracker.</summary>
public sealed class TelemetryFeedback(CompletionTracker tracker) : ICompletionFeedbackObserver
{
    public void Answered(CompletionRecord record)
    {
        // The query event itself is emitted by CompletionTracker.CompleteQuery, which needs the measurements
        // taken when the request arrived.
    }

    public void Shown(CompletionRecord record, string model, DateTimeOffset at) => tracker.Shown(record.QueryId, model);

    public void Accepted(CompletionRecord record, string model, DateTimeOffset at) => tracker.Accepted(record.QueryId, model);

    public void PartiallyAccepted(CompletionRecord record, string model, int acceptedLength, DateTimeOffset at) =>
        tracker.PartiallyAccepted(record.QueryId, model, acceptedLength);

    public void Rejected(CompletionRecord record, string model, DateTimeOffset at) => tracker.Rejected(record.QueryId, model);
}
