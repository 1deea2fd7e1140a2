using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>code4me/completionRejected</c>: the user dismissed a suggestion (no LSP standard exists for this).</summary>
internal sealed class CompletionRejectedHandler(QueryFeedback feedback) : INotificationHandler<CompletionRejectedParams>
{
    public void Handle(CompletionRejectedParams notification)
    {
        var (queryId, model) = FeedbackConversions.ToSuggestion(notification.Item, LspMethods.Code4meCompletionRejected);
        feedback.Rejected(queryId, model);
    }
}
