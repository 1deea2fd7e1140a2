using Code4me.Lsp.Core.Completion;
using Code4me.Lsp.Protocol;
using Code4me.Lsp.Rpc;

namespace Code4me.Lsp.Handlers.Feedback;

/// <summary><c>code4me/completionRejected</c>: the user dismissed a suggestion (no LSP standard exists for this).</summary>
internal sealed class CompletionRejectedHandler(CompletionLedger ledger) : INotificationHandler<CompletionRejectedParams>
{
    public void Handle(CompletionRejectedParams notification)
    {
        var item = CompletionItemArguments.From(notification.Item, LspMethods.Code4meCompletionRejected);
        ledger.Rejected(item.QueryId, item.Model);
    }
}
