using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>textDocument/didPartiallyAcceptCompletion</c>: the user accepted a prefix of a suggestion.</summary>
internal sealed class DidPartiallyAcceptCompletionHandler(QueryFeedback feedback) : INotificationHandler<DidPartiallyAcceptCompletionParams>
{
    public void Handle(DidPartiallyAcceptCompletionParams notification)
    {
        var (queryId, model) = FeedbackConversions.ToSuggestion(notification.Item, LspMethods.TextDocumentDidPartiallyAcceptCompletion);
        feedback.PartiallyAccepted(queryId, model, notification.AcceptedLength);
    }
}
