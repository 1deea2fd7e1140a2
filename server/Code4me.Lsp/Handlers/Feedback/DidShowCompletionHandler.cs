using Code4me.Lsp.Core.Telemetry;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>textDocument/didShowCompletion</c>: the editor displayed a suggestion (one timestamp per display).</summary>
internal sealed class DidShowCompletionHandler(QueryFeedback feedback) : INotificationHandler<DidShowCompletionParams>
{
    public void Handle(DidShowCompletionParams notification)
    {
        var (queryId, model) = FeedbackConversions.ToSuggestion(notification.Item, LspMethods.TextDocumentDidShowCompletion);
        feedback.Shown(queryId, model);
    }
}
