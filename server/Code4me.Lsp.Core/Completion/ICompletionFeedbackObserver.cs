namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// Told of each completion query and of what the editor reports about it (telemetry listens here).
/// Called synchronously from the dispatch path: implementations enqueue and return.
/// </summary>
public interface ICompletionFeedbackObserver
{
    void Answered(CompletionRecord record);

    void Shown(CompletionRecord record, string model, DateTimeOffset at);

    void Accepted(CompletionRecord record, string model, DateTimeOffset at);

    void PartiallyAccepted(CompletionRecord record, string model, int acceptedLength, DateTimeOffset at);

    void Rejected(CompletionRecord record, string model, DateTimeOffset at);
}
