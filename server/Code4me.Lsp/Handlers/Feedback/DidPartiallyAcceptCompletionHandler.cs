using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>textDocument/didPartiallyAcceptCompletion</c>: the user accepted a prefix of a suggestion.</summary>
internal sealed class DidPartiallyAcceptCompletionHandler(CompletionLedger ledger) : INotificationHandler<DidPartiallyAcceptCompletionParams>
{
    public void Handle(DidPartiallyAcceptCompletionParams notification)
    {
        var item = CompletionItemArguments.From(notification.Item, LspMethods.TextDocumentDidPartiallyAcceptCompletion);
        ledger.PartiallyAccepted(item.QueryId, item.Model, notification.AcceptedLength);
    }
}
