using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>textDocument/didShowCompletion</c>: the editor displayed a suggestion (one timestamp per display).</summary>
internal sealed class DidShowCompletionHandler(CompletionLedger ledger) : INotificationHandler<DidShowCompletionParams>
{
    public void Handle(DidShowCompletionParams notification)
    {
        var item = CompletionItemArguments.From(notification.Item, LspMethods.TextDocumentDidShowCompletion);
        ledger.Shown(item.QueryId, item.Model);
    }
}
