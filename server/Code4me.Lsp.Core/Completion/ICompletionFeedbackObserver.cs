namespace Code4me.Lsp.Core.Completion;

/// <summary>
/// Told of each completion query and of what the editor reports about it (telemetry listens here).
/// Called synchronously from the dispatch path: implementations enqueue and return.
/// </summary>
public interface ICompletionFeedbackObserver
{
    void Answered(CompletionRecord record);

    void Shown(CompletionRecord record, DateTimeOffset at);

    void Accepted(CompletionRecord record, DateTimeOffset at);

    void PartiallyAccepted(CompletionRecord record, int acceptedLength, DateTimeOffset at);

    void Rejected(CompletionRecord record, DateTimeOffset at);
}
